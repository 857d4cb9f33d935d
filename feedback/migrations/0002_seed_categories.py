"""The three kinds of feedback of QT 26.1 (editable afterwards in the admin)."""

from django.db import migrations

CATEGORIES = [
    (
        1,
        "Hành vi chậm trễ, gây phiền hà của cán bộ, công chức",
        "Chậm trễ, gây phiền hà hoặc không thực hiện, thực hiện không đúng quy định trong giải quyết thủ tục hành chính.",
    ),
    (
        2,
        "Quy định, thủ tục hành chính không phù hợp",
        "Cơ chế, chính sách, thủ tục hành chính không phù hợp thực tế, không đồng bộ, không thống nhất, không hợp pháp.",
    ),
    (3, "Đề xuất, sáng kiến", "Giải pháp, sáng kiến ban hành mới quy định về cơ chế, chính sách, thủ tục hành chính."),
]


def seed(apps, schema_editor):
    Category = apps.get_model("feedback", "FeedbackCategory")
    for order, name, description in CATEGORIES:
        Category.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
