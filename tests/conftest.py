import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db.backends.base.creation import BaseDatabaseCreation
from django.utils import translation

_deserialize_db_from_string = BaseDatabaseCreation.deserialize_db_from_string


def _restore_into_an_empty_database(self, data):
    """``serialized_rollback`` tests (the transactional ones) get the migration data back (Wagtail's root page
    and collection, role groups, slip templates) — into an emptied database.

    Django reloads it over whatever is there; the first such test of a worker finds the migration rows still
    present, and re-saving some of them (Wagtail pages through their filtered base manager) then inserts a
    duplicate key on PostgreSQL. Emptying first makes the order of tests irrelevant.
    """
    call_command(
        "flush",
        database=self.connection.alias,
        interactive=False,
        verbosity=0,
        inhibit_post_migrate=True,
        reset_sequences=False,
    )
    _deserialize_db_from_string(self, data)
    # An earlier test may have reset the sequences (flush): start them past the restored ids.
    statements = self.connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with self.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


BaseDatabaseCreation.deserialize_db_from_string = _restore_into_an_empty_database


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's default language (vi), as a fresh request without a language cookie would.

    A request activates its language for the thread and nothing resets it, so without this a test
    would inherit the language of an earlier test's last request (e.g. one with the English cookie).
    """
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_dirs(settings, tmp_path):
    """Each test writes files under its own temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _officials_pass_the_second_factor(request, monkeypatch):
    """``client.force_login(official)`` gives an OTP-verified session (portal/otp.py), as after a TOTP code.

    Tests marked ``@pytest.mark.real_otp`` get the real behaviour: a signed-in official without a verified
    second factor is sent to the TOTP set-up / verify page. See tests/factories/auth.py.
    """
    if request.node.get_closest_marker("real_otp"):
        yield
        return
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff or user.is_superuser:
            from tests.factories.auth import mark_otp_verified

            mark_otp_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (``item.rep_call``) so fixtures can tell a failure at teardown
    (tests/e2e/test_browser_journey.py saves screenshots then)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _random_order_seed(config):
    """pytest-randomly's seed when the suite runs in random order (None with ``-p no:randomly``)."""
    if not config.pluginmanager.hasplugin("randomly") or hasattr(config, "workerinput"):
        return None
    seed = getattr(config.option, "randomly_seed", None)
    return seed if isinstance(seed, int) else None


def pytest_sessionstart(session):
    """Print the random-order seed even under ``-q`` (pytest-randomly reports it in the header, which -q hides)."""
    seed = _random_order_seed(session.config)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if seed is not None and reporter is not None:
        reporter.write_line(f"random order: --randomly-seed={seed}")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After a failure, say how to replay the same order (and how to keep the file order)."""
    seed = _random_order_seed(config)
    if seed is not None and exitstatus not in (0, 5):
        terminalreporter.write_line(
            f"random order: replay it with -p randomly --randomly-seed={seed}; "
            f'keep the file order with -p no:randomly (make test PYTEST_ARGS="-p no:randomly")'
        )


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the migration data (``serialized_rollback=True``).

    One without it empties the database at teardown and lets ``post_migrate`` refill part of it; the next
    ``serialized_rollback`` test of the same worker then failed to restore (duplicate content types), so a
    test's outcome depended on which tests ran before it on its worker.
    """
    missing = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db")) is not None
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if missing:
        raise pytest.UsageError(
            "transactional tests need serialized_rollback=True (tests/conftest.py): " + ", ".join(missing)
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty Django cache: what pages keep there (the site chrome, a process's route in
    the lookup, rate-limit counters) belongs to an earlier test's rolled-back rows, whose ids SQLite reuses."""
    from django.core.cache import cache

    cache.clear()
    # The process holds one working calendar between version checks (workflow/worktime/loading.py): a test must not
    # see a calendar loaded from another test's rolled-back rows.
    from workflow.worktime import invalidate_calendar

    invalidate_calendar()
    yield
