"""factory_boy factories for the catalog, shared by every test module.

Codes come from sequences and satisfy the model validators:

* agency code ``^[0-9A-Z]{3}\\.[0-9A-Z]{2}\\.[0-9A-Z]{2}\\.[A-Z][0-9]{2}$``
  (``000.00.00.H00``, ``000.00.00.H01`` ...; unique for the first million);
* procedure code ``^[0-9]\\.[0-9]{6}(\\.[0-9A-Z.]+)?$`` (``1.000000``, ``1.000001`` ...);
* sector code ``LV0000``, ``LV0001`` ...

Names are Vietnamese, with diacritics, so search tests exercise accent folding.

    procedure = ProcedureFactory(agencies=[agency_a, agency_b])   # given agencies
    procedure = ProcedureFactory(agencies__count=2)                # two new agencies
    procedure = ProcedureFactory()                                 # one new agency
    procedure = ProcedureFactory(agencies=[])                      # no agency
    ProcedureFeeFactory.create_batch(2, procedure=procedure)
    ProcedureDocumentFactory(procedure=procedure, with_template=True)  # with a wagtail document
"""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory
from wagtail.documents import get_document_model

from catalog.models import (
    Agency,
    AgencyLevel,
    FaqEntry,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureLevel,
    ProcedureStatus,
    Sector,
    TimeUnit,
)

AGENCY_NAMES = [
    "Sở Xây dựng",
    "Sở Tư pháp",
    "Sở Tài nguyên và Môi trường",
    "Sở Kế hoạch và Đầu tư",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Lao động - Thương binh và Xã hội",
    "Ủy ban nhân dân phường Hồng Hải",
    "Ủy ban nhân dân xã Đồng Tâm",
]
SECTOR_NAMES = [
    "Hoạt động xây dựng",
    "Hộ tịch",
    "Đất đai",
    "Thành lập và hoạt động của hộ kinh doanh",
    "Giáo dục và Đào tạo",
    "Khám bệnh, chữa bệnh",
    "Bảo trợ xã hội",
]
PROCEDURE_NAMES = [
    "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
    "Đăng ký khai sinh",
    "Đăng ký kết hôn",
    "Cấp phiếu lý lịch tư pháp",
    "Đăng ký thành lập hộ kinh doanh",
    "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
    "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
    "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở",
]


def _agency_code(n):
    # 000.<ten-thousands>.<hundreds>.H<units>: valid and unique for n < 1,000,000.
    return f"000.{(n // 10000) % 100:02d}.{(n // 100) % 100:02d}.H{n % 100:02d}"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(_agency_code)
    name = factory.Sequence(lambda n: AGENCY_NAMES[n % len(AGENCY_NAMES)])
    short_name = ""
    level = AgencyLevel.PROVINCE
    address = "Số 1 đường Trần Hưng Đạo, thành phố Hạ Long"
    phone = "0203 3835 000"
    email = factory.Sequence(lambda n: f"donvi{n}@example.gov.vn")
    hotline = "1900 1234"
    working_hours_note = "Sáng 7h30–11h30, chiều 13h30–17h00, thứ Hai đến thứ Sáu"
    is_active = True

    class Params:
        commune = factory.Trait(
            level=AgencyLevel.COMMUNE, name=factory.Sequence(lambda n: f"Ủy ban nhân dân xã số {n}")
        )


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector

    code = factory.Sequence(lambda n: f"LV{n:04d}")
    name = factory.Sequence(lambda n: SECTOR_NAMES[n % len(SECTOR_NAMES)])


class ProcedureFactory(DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    national_code = factory.Sequence(lambda n: f"1.{n % 1000000:06d}")
    name = factory.Sequence(lambda n: PROCEDURE_NAMES[n % len(PROCEDURE_NAMES)])
    sector = factory.SubFactory(SectorFactory)
    level = ProcedureLevel.PROVINCE
    online_level = OnlineLevel.PARTIAL
    processing_time = Decimal("15")
    processing_time_unit = TimeUnit.DAY
    processing_time_note = "Kể từ ngày nhận đủ hồ sơ hợp lệ"
    applicant_subjects = "Công dân Việt Nam, người nước ngoài"
    applicant_steps = "<p>Bước 1: Nộp hồ sơ.</p><p>Bước 2: Nhận kết quả.</p>"
    requirements = "<p>Không có.</p>"
    result_type = "Giấy phép"
    legal_basis = "Luật Xây dựng số 50/2014/QH13"
    publishing_decision = "Quyết định số 123/QĐ-UBND"
    status = ProcedureStatus.IN_FORCE

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        """``agencies=[...]`` links those; ``agencies__count=n`` creates n; by default one new agency."""
        if not create:
            return
        if extracted is not None:
            self.agencies.add(*extracted)
            return
        count = kwargs.get("count", 1)
        if count:
            self.agencies.add(*AgencyFactory.create_batch(count))


class ProcedureFeeFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureFee

    procedure = factory.SubFactory(ProcedureFactory)
    kind = FeeKind.CHARGE
    name = "Lệ phí cấp giấy phép"
    amount = Decimal("100000")
    note = ""
    sort_order = factory.Sequence(lambda n: n)


class WagtailDocumentFactory(DjangoModelFactory):
    class Meta:
        model = get_document_model()

    title = factory.Sequence(lambda n: f"Mẫu đơn số {n}")
    file = factory.django.FileField(filename="mau-don.docx", data=b"mau don")


class ProcedureDocumentFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureDocument

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Đơn đề nghị cấp giấy phép (Mẫu số 01)"
    originals = 1
    copies = 0
    mandatory = True
    template = None
    sort_order = factory.Sequence(lambda n: n)

    class Params:
        with_template = factory.Trait(template=factory.SubFactory(WagtailDocumentFactory))


class FaqEntryFactory(DjangoModelFactory):
    class Meta:
        model = FaqEntry

    sector = factory.SubFactory(SectorFactory)
    procedure = None
    question = factory.Sequence(lambda n: f"Hồ sơ cần chuẩn bị những giấy tờ gì? ({n})")
    answer = "<p>Đơn đề nghị và bản sao giấy tờ tùy thân.</p>"
    is_published = True
    sort_order = factory.Sequence(lambda n: n)
