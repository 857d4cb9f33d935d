import pytest
from django.utils import translation


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


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (``item.rep_call``) so fixtures can tell a failure at teardown
    (tests/test_browser_journey.py saves screenshots then)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
