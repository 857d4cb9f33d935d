"""Idempotent demo content: catalog, site pages, staff accounts and their roles.

Everything is created only when missing, so re-running changes nothing and
never overwrites what editors changed.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from anyascii import anyascii
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import GroupPagePermission, Page, Site

from catalog.models import Agency, FaqEntry, MaintenanceNotice, Procedure, ProcedureDocument, ProcedureFee, Sector
from catalog.officials import roles
from portal.demo import catalog_data as data
from portal.demo import otp_data

DEMO_PASSWORD = "Demo@2026!tthc"

# role code -> (permissions "app_label.codename", may edit pages); the one list is catalog/officials/roles.py
ROLES = {code: (codenames, code in roles.EDITS_PAGES) for code, codenames in roles.PERMISSIONS.items()}

# username, full name, role code (catalog/officials/roles.py), agency code, superuser
STAFF = [
    ("admin", "Quản trị hệ thống", None, None, True),
    ("bientap", "Nguyễn Thị Biên", roles.CONTENT_EDITOR, "000.00.01.H99", False),
    ("quantri.sxd", "Trần Văn Quản", roles.UNIT_ADMIN, "000.00.15.H99", False),
    ("motcua.sxd", "Lê Thị Một", roles.RECEPTION_OFFICER, "000.00.15.H99", False),
    ("chuyenvien.sxd", "Phạm Văn Chuyên", roles.SPECIALIST, "000.00.15.H99", False),
    ("lanhdao.sxd", "Hoàng Văn Lãnh", roles.LEADER, "000.00.15.H99", False),
    ("giamsat", "Đỗ Thị Giám", roles.SUPERVISOR, "000.00.01.H99", False),
    ("congan", "Vũ Văn An", roles.POLICE, None, False),  # access statistics only (BN 7.4)
]


@transaction.atomic
def load_all(stdout=None):
    agencies = load_agencies()
    sectors = load_sectors()
    templates = load_templates()
    load_procedures(agencies, sectors, templates)
    load_faq(sectors)
    load_notice()
    load_pages()
    load_roles()
    accounts = load_staff()
    from portal.demo import workflow_data

    workflow_data.load_officials(STAFF)
    workflow_data.load_processes()
    workflow_data.load_dossiers()
    from portal.demo import citizen_data

    citizen_data.load_eforms(actor=get_user_model().objects.get(username="admin"))
    citizen_data.load_citizen(DEMO_PASSWORD)
    otp_data.load_demo_devices()  # officials' second factor: the published demo TOTP key (portal/demo/otp_data.py)
    return accounts


def load_agencies():
    agencies = {}
    for code, name, short, level, parent, phone, hotline in data.AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                short_name=short,
                level=level,
                parent=agencies.get(parent),
                phone=phone,
                hotline=hotline,
                address=f"{name}, {data.PROVINCE}",
                email=f"{anyascii(short).lower().replace(' ', '').replace('.', '')}@anbinh.gov.vn",  # ASCII
                working_hours_note="Sáng 7h30–11h30, chiều 13h00–17h00, từ thứ Hai đến thứ Sáu",
            ),
        )
        agencies[code] = agency
    return agencies


def load_sectors():
    return {code: Sector.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in data.SECTORS}


def load_templates():
    """One downloadable template file per document kind that has a 'Mẫu' in its name."""
    Document = get_document_model()
    templates = {}
    for title in {"Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)", "Đơn đăng ký, cấp Giấy chứng nhận (Mẫu số 04/ĐK)"}:
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document(title=title)
            body = f"{title}\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc\n".encode()
            document.file.save("mau-don.txt", ContentFile(body), save=False)
            document.save()
        templates[title] = document
    return templates


def load_procedures(agencies, sectors, templates):
    for idx, (code, name, sector, agency_codes, level, online, time_, unit, fees, docs) in enumerate(data.PROCEDURES):
        if Procedure.objects.filter(national_code=code).exists():
            continue  # demo data never overwrites an editor's changes
        procedure = Procedure(national_code=code)
        procedure.name = name
        procedure.sector = sectors[sector]
        procedure.level = level
        procedure.online_level = online
        procedure.processing_time = Decimal(time_)
        procedure.processing_time_unit = unit
        procedure.processing_time_note = "Kể từ ngày nhận đủ hồ sơ hợp lệ"
        procedure.applicant_subjects = "Công dân Việt Nam, tổ chức" if level != "commune" else "Công dân Việt Nam"
        procedure.applicant_steps = (
            "<ol><li>Chuẩn bị hồ sơ theo quy định.</li><li>Nộp hồ sơ trực tuyến hoặc tại Bộ phận Một cửa.</li>"
            "<li>Nhận giấy tiếp nhận và hẹn trả kết quả.</li><li>Nhận kết quả theo hình thức đã đăng ký.</li></ol>"
        )
        procedure.submit_online = online != "none"
        procedure.submit_counter = True
        procedure.submit_post = idx % 3 == 0
        procedure.postal_return = idx % 2 == 0
        procedure.result_type = "Văn bản / giấy phép điện tử có chữ ký số"
        procedure.legal_basis = "Luật Xây dựng 2014; Nghị định 61/2018/NĐ-CP; Nghị định 107/2021/NĐ-CP"
        procedure.publishing_decision = "Quyết định số 1234/QĐ-UBND ngày 15/3/2026 của Chủ tịch UBND tỉnh An Bình"
        procedure.usage_count = max(0, 500 - idx * 13)
        procedure.save()
        codes = data.COMMUNES if agency_codes == "COMMUNES" else agency_codes
        procedure.agencies.set([agencies[c] for c in codes])
        procedure.fees.all().delete()
        for order, (kind, fee_name, amount) in enumerate(fees):
            ProcedureFee.objects.create(procedure=procedure, kind=kind, name=fee_name, amount=amount, sort_order=order)
        procedure.documents.all().delete()
        for order, (doc_name, originals, copies, mandatory) in enumerate(docs):
            ProcedureDocument.objects.create(
                procedure=procedure,
                name=doc_name,
                originals=originals,
                copies=copies,
                mandatory=mandatory,
                template=templates.get(doc_name),
                sort_order=order,
            )


def load_faq(sectors):
    for order, (sector, code, question, answer) in enumerate(data.FAQ):
        FaqEntry.objects.get_or_create(
            question=question,
            defaults=dict(
                sector=sectors[sector],
                procedure=Procedure.objects.filter(national_code=code).first(),
                answer=answer,
                sort_order=order,
                is_published=True,
            ),
        )


def load_notice():
    start = timezone.make_aware(datetime.combine(date.today() + timedelta(days=3), time(22, 0)))
    MaintenanceNotice.objects.get_or_create(
        title="Bảo trì hệ thống định kỳ",
        defaults=dict(
            body="Hệ thống tạm dừng để nâng cấp. Các hồ sơ đã nộp không bị ảnh hưởng.",
            starts_at=start,
            ends_at=start + timedelta(hours=4),
        ),
    )


def _child(parent, model, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        if fields.get("title_en") and not existing.title_en:  # a demo loaded before pages had English titles
            model.objects.filter(pk=existing.pk).update(title_en=fields["title_en"])
        return existing
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def load_pages():
    from portal.models import (
        AgencyIndexPage,
        FaqIndexPage,
        HomePage,
        NewsIndexPage,
        NewsPage,
        ProcedureIndexPage,
        StandardPage,
        SupportSettings,
    )

    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Cổng Dịch vụ công tỉnh An Bình",
            title_en="An Bình Province Public Service Portal",
            slug="trang-chu",
            intro="<p>Tra cứu thủ tục hành chính, nộp hồ sơ trực tuyến và theo dõi kết quả giải quyết.</p>",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        if site:
            site.root_page = home
            site.site_name = "Cổng Dịch vụ công tỉnh An Bình"
            site.save()
        else:
            site = Site.objects.create(
                hostname="localhost", root_page=home, is_default_site=True, site_name="Cổng Dịch vụ công tỉnh An Bình"
            )
        if old_root and old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()
    _child(
        home,
        ProcedureIndexPage,
        "thu-tuc-hanh-chinh",
        title="Thủ tục hành chính",
        title_en="Administrative procedures",
        intro="<p>Tìm thủ tục theo tên, mã, cơ quan, lĩnh vực hoặc mức độ dịch vụ công trực tuyến.</p>",
    )
    _child(home, AgencyIndexPage, "co-quan", title="Cơ quan giải quyết thủ tục", title_en="Agencies")
    _child(home, FaqIndexPage, "hoi-dap", title="Câu hỏi thường gặp", title_en="Frequently asked questions")
    news = _child(home, NewsIndexPage, "tin-tuc", title="Tin tức – thông báo", title_en="News and notices")
    _child(
        news,
        NewsPage,
        "ra-mat-cong-dich-vu-cong",
        title="Ra mắt Cổng Dịch vụ công tỉnh An Bình",
        date=date(2026, 1, 5),
        summary="Người dân có thể nộp hồ sơ trực tuyến 24/7.",
        body="<p>Từ ngày 05/01/2026, người dân và doanh nghiệp có thể nộp hồ sơ trực tuyến.</p>",
    )
    _child(
        news,
        NewsPage,
        "lich-nghi-tet-2026",
        title="Lịch nghỉ Tết Nguyên đán Bính Ngọ 2026",
        date=date(2026, 2, 2),
        summary="Bộ phận Một cửa nghỉ Tết theo lịch của Chính phủ.",
        body="<p>Hồ sơ nộp trực tuyến trong thời gian nghỉ Tết được tiếp nhận vào ngày làm việc đầu tiên.</p>",
    )
    _child(
        home,
        StandardPage,
        "dieu-khoan-su-dung",
        title="Điều khoản sử dụng",
        title_en="Terms of use",
        body="<p>Người dùng chịu trách nhiệm về tính chính xác của thông tin kê khai. "
        "Dữ liệu cá nhân được bảo vệ theo Nghị định 13/2023/NĐ-CP.</p>",
    )
    _child(
        home,
        StandardPage,
        "ho-tro",
        title="Hỗ trợ",
        title_en="Support",
        body="<p>Gọi đường dây nóng 1900 9099 hoặc gửi thư đến hotro@anbinh.gov.vn.</p>",
    )
    site = Site.objects.get(is_default_site=True)
    SupportSettings.objects.get_or_create(
        site=site,
        defaults=dict(
            hotline="1900 9099",
            email="hotro@anbinh.gov.vn",
            address="Trung tâm Phục vụ hành chính công tỉnh An Bình",
            office_hours="Thứ Hai – Thứ Sáu: 7h30–11h30, 13h00–17h00",
        ),
    )


def load_roles():
    home = (
        Page.objects.get(depth=2, content_type__model="homepage")
        if Page.objects.filter(depth=2, content_type__model="homepage").exists()
        else None
    )
    for code, (_permissions, edits_pages) in ROLES.items():
        group = roles.role_group(code)
        group.permissions.set(roles.permissions_for(code))
        if edits_pages and home:
            for codename in ("add_page", "change_page", "publish_page"):
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=home,
                    permission=Permission.objects.get(codename=codename, content_type__app_label="wagtailcore"),
                )


def load_staff():
    User = get_user_model()
    accounts = []
    for username, full_name, role_code, agency_code, superuser in STAFF:
        first, _, last = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults=dict(
                first_name=last,
                last_name=first,
                email=f"{username}@anbinh.gov.vn",
                is_staff=True,
                is_superuser=superuser,
            ),
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        group_name = "Quản trị hệ thống"
        if role_code:
            group = roles.role_group(role_code)
            user.groups.set([group])
            group_name = group.name
        accounts.append((username, full_name, group_name, agency_code))
    return accounts
