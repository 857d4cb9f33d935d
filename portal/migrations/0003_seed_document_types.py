"""The starting list of personal document types (editable in the admin afterwards)."""

from django.db import migrations

TYPES = [
    "Căn cước",
    "Sổ hộ khẩu",
    "Giấy chứng nhận quyền sử dụng đất",
    "Giấy khai sinh",
    "Bằng cấp, chứng chỉ",
    "Khác",
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("portal", "DocumentType")
    for order, name in enumerate(TYPES):
        DocumentType.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_citizens")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
