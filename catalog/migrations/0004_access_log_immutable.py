"""The personal data access log is append-only in the database too (DESIGN 10, TN 17.10d, BN 7.4).

Triggers refuse every UPDATE and DELETE on ``catalog_personaldataaccess``,
whatever the client (the app, a shell, a SQL console), with an integrity
error. TRUNCATE is not blocked: PostgreSQL runs no row triggers for it and
Django's test flush uses it; emptying the whole database stays the database
owner's act (see ``catalog/management/commands/flush.py`` for SQLite).

The user and unit keys lose their database constraint first (deleting an
account or a unit leaves its entries untouched), which on SQLite rebuilds the
table — the triggers are installed after that. Any later migration that
rebuilds this table on SQLite drops the triggers and must install them again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "catalog_personaldataaccess"
MESSAGE = "the personal data access log is append-only"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]

POSTGRESQL_INSTALL = [
    # SQLSTATE 23000 (integrity_constraint_violation): Django raises IntegrityError, as on SQLite.
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23000';
        END
        $$""",
    f"""CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_INSTALL)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported (DESIGN 2)
        raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_REMOVE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_REMOVE)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_access_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="personaldataaccess",
            name="agency",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="catalog.agency",
                verbose_name="unit",
            ),
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="kind",
            field=models.CharField(
                choices=[
                    ("dossier_detail", "Dossier detail"),
                    ("document_download", "Dossier document download"),
                    ("slip_download", "Slip download"),
                    ("api_dossier_detail", "Dossier detail (API)"),
                    ("api_document_download", "Dossier document download (API)"),
                    ("feedback_detail", "Feedback detail (sender's contacts)"),
                    ("question_detail", "Citizen question (asker's contacts)"),
                    ("citizen_account", "Citizen account (admin)"),
                ],
                max_length=30,
                verbose_name="what",
            ),
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="official",
            ),
        ),
        migrations.RunPython(install, remove, elidable=False),
    ]
