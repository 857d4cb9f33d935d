"""Helpers of the e-form tests: a unit admin, the builder's document, and walking the citizen's wizard."""

from django.contrib.auth.models import Permission

from catalog.officials import roles
from eforms.models import EForm
from tests.factories.workflow import official
from tests.factories.world import in_roles

ADMIN_PERMISSIONS = ["access_admin", "add_eform", "change_eform", "view_eform", "delete_eform", "view_procedure"]

#: Every field type, two conditions on fields (one decided on the same page, one by an earlier page) and one
#: condition on a whole section.
SECTIONS = [
    {
        "title": "Thông tin người đề nghị",
        "fields": [
            {
                "code": "ho_ten",
                "type": "text",
                "label": "Họ và tên",
                "required": True,
                "prefill_source": "full_name",
                "editable_after_prefill": False,
                "max_length": "100",
            },
            {
                "code": "so_cccd",
                "type": "citizen_id",
                "label": "Số căn cước",
                "required": True,
                "prefill_source": "id_number",
            },
            {"code": "ngay_sinh", "type": "date", "label": "Ngày sinh", "prefill_source": "date_of_birth"},
            {
                "code": "gioi_tinh",
                "type": "choice",
                "label": "Giới tính",
                "choices": "male|Nam\nfemale|Nữ",
                "prefill_source": "gender",
            },
            {
                "code": "dien_thoai",
                "type": "phone",
                "label": "Số điện thoại",
                "required": True,
                "prefill_source": "phone",
            },
            {"code": "thu_dien_tu", "type": "email", "label": "Thư điện tử", "prefill_source": "email"},
            {
                "code": "dia_chi",
                "type": "address",
                "label": "Địa chỉ thường trú",
                "required": True,
                "address_province": "22",
            },
            {"code": "ho_chieu", "type": "passport", "label": "Số hộ chiếu (nếu có)"},
            {
                "code": "la_doanh_nghiep",
                "type": "yesno",
                "label": "Đề nghị với tư cách doanh nghiệp?",
                "required": True,
            },
            {
                "code": "ma_so_thue",
                "type": "tax_code",
                "label": "Mã số thuế",
                "required": True,
                "condition_field": "la_doanh_nghiep",
                "condition_operator": "equals",
                "condition_value": "yes",
            },
        ],
    },
    {
        "title": "Nội dung đề nghị cấp phép",
        "fields": [
            {"code": "luu_y", "type": "static", "label": "Lưu ý", "content": "Kê khai trung thực, đầy đủ."},
            {
                "code": "loai_cong_trinh",
                "type": "choice",
                "label": "Loại công trình",
                "required": True,
                "choices": "nha_o|Nhà ở riêng lẻ\nnha_xuong|Nhà xưởng",
            },
            {
                "code": "dien_tich",
                "type": "number",
                "label": "Diện tích xây dựng (m²)",
                "required": True,
                "min_value": "10",
                "max_value": "10000",
            },
            {
                "code": "mo_ta",
                "type": "textarea",
                "label": "Mô tả công trình",
                "max_length": "2000",
                "prefill_source": "last_value",
            },
            {
                "code": "hang_muc",
                "type": "multichoice",
                "label": "Hạng mục",
                "choices": "mong|Móng\nthan|Thân\nmai|Mái",
            },
            {"code": "ban_ve", "type": "file", "label": "Bản vẽ mặt bằng", "file_types": "pdf", "max_file_mb": "1"},
            {
                "code": "nha_thau",
                "type": "table",
                "label": "Danh sách nhà thầu",
                "table_columns": "ten|Tên nhà thầu|text\nso_nguoi|Số người|number\nngay|Ngày ký hợp đồng|date",
            },
            {
                "code": "ten_du_an",
                "type": "text",
                "label": "Tên dự án của doanh nghiệp",
                "condition_field": "la_doanh_nghiep",
                "condition_operator": "equals",
                "condition_value": "yes",
            },
        ],
    },
    {
        "title": "Thông tin nhà xưởng",
        "condition_field": "loai_cong_trinh",
        "condition_operator": "equals",
        "condition_value": "nha_xuong",
        "fields": [
            {"code": "cong_suat", "type": "number", "label": "Công suất thiết kế", "required": True},
        ],
    },
]


def unit_admin(agency, username="quantri.donvi"):
    """An official of ``agency`` in the unit admin group (DESIGN §1: builds the unit's e-forms)."""
    user = in_roles(official(agency, username=username), roles.UNIT_ADMIN)
    group = roles.role_group(roles.UNIT_ADMIN)
    group.permissions.set(Permission.objects.filter(codename__in=ADMIN_PERMISSIONS))
    return user


INTEGER_KEYS = ("min_length", "max_length", "max_file_mb", "min_rows", "max_rows")


def _condition(item):
    if not item.get("condition_field"):
        return None
    operator = item.get("condition_operator", "")
    raw = item.get("condition_value", "")
    values = [v.strip() for v in raw.split(",")] if operator == "in" else ([raw] if raw else [])
    return {"field": item["condition_field"], "operator": operator, "values": values}


def _field_document(field):
    doc = {key: field.get(key, "") for key in ("code", "type", "label", "help_text", "pattern", "pattern_message")}
    doc.update(
        default=field.get("default", ""),
        content=field.get("content", ""),
        preset=field.get("preset", ""),
        required=bool(field.get("required")),
        editable_after_prefill=field.get("editable_after_prefill", True),
        prefill=field.get("prefill_source", ""),
        province=field.get("address_province", ""),
        applicant_field=field.get("applicant_field", ""),
        min_value=field.get("min_value") or None,
        max_value=field.get("max_value") or None,
        choices=[
            {"value": value, "label": label or value}
            for value, _sep, label in (line.partition("|") for line in field.get("choices", "").splitlines() if line)
        ],
        columns=[
            dict(zip(("code", "label", "type"), line.split("|"), strict=False))
            for line in field.get("table_columns", "").splitlines()
            if line
        ],
        file_types=[t.strip() for t in field.get("file_types", "").split(",") if t.strip()],
        condition=_condition(field),
    )
    doc.update({key: int(field[key]) if field.get(key) not in (None, "") else None for key in INTEGER_KEYS})
    return doc


def definition_document(sections):
    """The builder's document (eforms.definition) of sections written the short way used by these tests:
    choices as ``value|label`` lines, columns as ``code|label|type`` lines, conditions as three keys."""
    return {
        "format": "tthc-eform",
        "schema": 1,
        "sections": [
            {
                "title": section["title"],
                "help_text": section.get("help_text", ""),
                "condition": _condition(section),
                "fields": [_field_document(f) for f in section["fields"]],
            }
            for section in sections
        ],
    }


def save_in_builder(client, edit_url, sections):
    """Save a draft as the builder's script does (the whole document as JSON)."""
    return client.post(edit_url, definition_document(sections), content_type="application/json")


def build_form_through_admin(client, admin, procedure, symbol="tk1", sections=SECTIONS, publish=True):
    """Create, fill in, preview and publish a form with the admin's own screens; returns the EForm."""
    client.force_login(admin)
    response = client.post(
        "/admin/snippets/eforms/eform/add/",
        {"procedure": procedure.pk, "symbol": symbol, "title": "Tờ khai đề nghị cấp giấy phép xây dựng"},
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    edit_url = response["Location"]
    response = save_in_builder(client, edit_url, sections)
    assert response.status_code == 200, response.json()
    eform = EForm.objects.get(code=f"{procedure.national_code}.{symbol.upper()}")
    version = eform.versions.get()
    assert client.get(f"/admin/eforms/versions/preview/{version.pk}/").status_code == 200
    if publish:
        response = client.post(f"/admin/eforms/versions/publish/{version.pk}/")
        assert response.status_code == 302
    return eform


class Wizard:
    """Posts the steps of one filling like a browser does (management form, step prefixes)."""

    def __init__(self, client, draft):
        self.client = client
        self.draft = draft
        self.url = f"/nop-truc-tuyen/ho-so/{draft.pk}/"
        self.prefix = f"eform_{draft.pk.hex}"

    def post(self, step, values=None, files=None, **extra):
        data = {f"{self.prefix}-current_step": step}
        for key, value in (values or {}).items():
            data[f"{step}-{key}"] = value
        for key, value in (files or {}).items():
            data[f"{step}-{key}"] = value
        data.update(extra)
        return self.client.post(self.url, data)

    def current_step(self, response):
        return response.context["wizard"]["steps"].current
