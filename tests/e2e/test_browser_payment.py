"""A citizen pays a dossier's fees with the demo provider in Chromium (issue 18): the dossier continues by itself
and the e-receipt downloads as a PDF from My dossiers."""

import pytest

from tests.e2e.browser import TIMEOUT
from tests.factories.citizens import citizen as make_citizen
from tests.factories.citizens import construction_unit, submit_online
from workflow.dossiers import services
from workflow.models import Dossier, PaymentStatus, Status

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch, settings):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.RATELIMIT_ENABLED = False


def test_a_citizen_pays_with_the_demo_provider_and_downloads_the_receipt(browser, live_server, client):
    unit = construction_unit()
    applicant = make_citizen(full_name="Trần Thị Bình", id_number="022190001234", phone="0912345678")
    dossier = submit_online(unit, applicant)
    dossier = services.dossier_receive_online(actor=unit.officer, dossier_id=dossier.pk)
    services.dossier_request_payment(actor=unit.officer, dossier_id=dossier.pk, amount=150000)
    client.force_login(applicant)
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)

    page.goto(f"{live_server.url}/tai-khoan/ho-so/{dossier.pk}/")
    assert "150.000 đ" in page.locator("#pay-h").locator("..").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Thanh toán trực tuyến").click()
    assert "/thanh-toan/thu-nghiem/" in page.url
    with page.expect_navigation():
        page.get_by_role("button", name="Chấp nhận thanh toán").click()
    assert "Đã thanh toán" in page.locator("main").inner_text()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING  # the dossier goes on by itself

    with page.expect_navigation():
        page.get_by_role("link", name=f"Quay lại hồ sơ {dossier.code}").click()
    payment = Dossier.objects.get(pk=dossier.pk).payments.get(status=PaymentStatus.PAID)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Biên lai {payment.receipt_number} – 150.000 đ").click()
    path = download.value.path()
    assert open(path, "rb").read(4) == b"%PDF"
    assert download.value.suggested_filename == f"bien-lai-{payment.receipt_number}.pdf"
    context.close()
