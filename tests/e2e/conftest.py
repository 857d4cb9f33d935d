"""Fixtures of the browser tests (helpers in ``tests/e2e/browser.py``)."""

import os

import pytest
from django.core.management import call_command

from tests.e2e.browser import ARGS, ARTIFACTS, chromium_or_skip, commune_officials


@pytest.fixture
def browser(request):
    from playwright import sync_api

    path = chromium_or_skip()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            report = getattr(request.node, "rep_call", None)
            if report is None or report.failed:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                for i, context in enumerate(chromium.contexts):
                    for j, page in enumerate(context.pages):
                        target = ARTIFACTS / f"{request.node.name}-{i}-{j}.png"
                        try:
                            page.screenshot(path=str(target), full_page=True)
                            print(f"screenshot: {target} ({page.url})")
                        except Exception as exc:  # a crashed page must not hide the test's own error
                            print(f"screenshot failed for {page.url}: {exc}")
            chromium.close()


@pytest.fixture
def demo(settings, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads are synchronous anyway.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.RATELIMIT_ENABLED = False
    call_command("load_demo", stdout=open(os.devnull, "w"))
    return commune_officials()
