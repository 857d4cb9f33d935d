"""Role groups get a stable code (catalog.models.RoleGroup): code no longer finds them by their name.

The existing groups named by a role's default name are attached to its code, so a database made before the
codes keeps every official's roles. The names are frozen here (catalog.officials.roles.DEFAULT_NAMES may
change later).
"""

import django.db.models.deletion
from django.db import migrations, models

#: role code -> the group name the roles had before codes existed
DEFAULT_NAMES = {
    "content_editor": "Biên tập viên",
    "unit_admin": "Quản trị đơn vị",
    "reception_officer": "Cán bộ một cửa",
    "specialist": "Chuyên viên",
    "leader": "Lãnh đạo",
    "supervisor": "Giám sát",
    "police": "Công an – thống kê khai thác dữ liệu",
}


def attach_existing_groups(apps, schema_editor):
    """Tie each group named by a role's default name to the role's code (unless the code already has one)."""
    Group = apps.get_model("auth", "Group")
    RoleGroup = apps.get_model("catalog", "RoleGroup")
    for code, name in DEFAULT_NAMES.items():
        if RoleGroup.objects.filter(code=code).exists():
            continue
        group = Group.objects.filter(name=name, role__isnull=True).first()
        if group is not None:
            RoleGroup.objects.create(group=group, code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("catalog", "0004_access_log_immutable"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoleGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(unique=True, verbose_name="role code")),
                (
                    "group",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role",
                        to="auth.group",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "role group",
                "verbose_name_plural": "role groups",
                "ordering": ["code"],
            },
        ),
        migrations.RunPython(attach_existing_groups, migrations.RunPython.noop, elidable=True),
    ]
