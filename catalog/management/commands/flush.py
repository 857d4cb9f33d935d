"""Django's ``flush``, able to empty the append-only access log on SQLite.

Migration ``catalog/0004`` puts triggers on ``catalog_personaldataaccess``
that refuse UPDATE and DELETE. On PostgreSQL ``flush`` empties tables with
TRUNCATE, which runs no row triggers. On SQLite it runs ``DELETE FROM``, which
the triggers refuse as soon as the log has a row — so this command lifts the
triggers for the flush and puts the very same ones back, in one transaction.
Tests that use transactions (``TransactionTestCase``, ``transaction=True``)
flush the database after each test through this command.

Emptying the whole database is the database owner's act; the triggers are
there against editing or deleting single entries.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE = "catalog_personaldataaccess"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for _name, sql in triggers:
                        cursor.execute(sql)
