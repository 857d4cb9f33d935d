"""The whole journey in a real browser (Playwright for Python driving Debian's Chromium, headless).

A citizen finds procedure 1.011876 by a search without diacritics, opens it, clicks "Nộp trực tuyến", signs in,
fills the multi-step e-form with the organisation condition switched on and a drawing uploaded, attaches the
required documents, chooses the receiving commune and the delivery, reviews and submits. The commune's reception
officer signs in to the admin for the first time (password, then enrols an authenticator app from the set-up page
and types its code), receives the dossier and downloads the receipt; the specialist (whose authenticator exists
already: the code page) forwards it to the leader; the leader records the signed result; the officer returns it.
The citizen looks the dossier up by its code, downloads the result from "My dossiers" and rates the service.

Chromium is never downloaded: ``/usr/bin/chromium`` (Debian package ``chromium``, installed by
``scripts/check_system.sh --browser`` from ``make test``). Without it the test is skipped with a message.
On failure every open page is screenshotted to ``var/test-artifacts/`` (gitignored).
"""

import pytest

from tests.e2e.browser import PASSWORD, PDF, TIMEOUT, act, admin_sign_in, fill_building_step, next_step

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_citizen_to_result_and_rating(browser, live_server, demo, tmp_path):
    from workflow.models import DocumentKind, Dossier, Status

    base = live_server.url
    drawing = tmp_path / "ban-ve-mat-bang.pdf"
    drawing.write_bytes(PDF)

    # --- the citizen finds the procedure without diacritics and starts the online submission ----------
    citizen = browser.new_context(locale="vi-VN", accept_downloads=True)
    citizen.set_default_timeout(TIMEOUT)
    page = citizen.new_page()
    page.goto(f"{base}/thu-tuc-hanh-chinh/")
    page.fill("input[name=q]", "giay phep xay dung nha o rieng le")
    with page.expect_navigation():
        page.locator("input[name=q]").press("Enter")
    link = page.locator("a[href*='1.011876']").first
    link.wait_for()
    with page.expect_navigation():
        link.click()
    assert "1.011876" in page.url
    submit = page.locator("a.button.primary[href*='/nop-truc-tuyen/']")
    submit.wait_for()
    with page.expect_navigation():
        submit.click()

    # --- sign in (citizen area) ---------------------------------------------------------------------
    page.wait_for_selector("input[name=username]")
    assert "/tai-khoan/dang-nhap/" in page.url
    page.fill("input[name=username]", "0912345678")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    page.wait_for_selector("form.eform")

    # --- step 1: applicant (prefilled from the profile) + the organisation condition switched on ----
    assert page.locator("[name$='-ho_ten']").input_value() == "Nguyễn Văn An"
    page.locator("input[name$='-la_to_chuc'][value=yes]").check()
    next_step(page)

    # --- step 2: the building, with the drawing uploaded ------------------------------------------------
    page.wait_for_selector("[name$='-dia_diem']")
    fill_building_step(page, drawing)
    next_step(page)

    # --- step 3: shown only because "la_to_chuc" = yes ------------------------------------------------
    page.wait_for_selector("[name$='-ten_to_chuc']")
    page.fill("[name$='-ten_to_chuc']", "Công ty TNHH Xây dựng An Bình")
    page.fill("[name$='-ma_so_thue']", "0101234567")
    next_step(page)

    # --- documents: upload each required one ----------------------------------------------------------
    page.wait_for_selector("input[type=file][name^='documents-doc_']")
    for i, field in enumerate(page.locator("input[type=file][name^='documents-doc_']").all()):
        scan = tmp_path / f"giay-to-{i}.pdf"
        scan.write_bytes(PDF)
        field.set_input_files(str(scan))
    next_step(page)

    # --- delivery: the receiving commune offered by the wizard, result online ---------------------------
    agency = demo["agency"]
    page.wait_for_selector("[name='delivery-delivery']")
    offered = page.locator(f"input[name='delivery-agency'][value='{agency.pk}']")
    if offered.get_attribute("type") == "radio":
        offered.check()
    page.locator("input[name='delivery-delivery'][value=online]").check()
    next_step(page)

    # --- review and submit ------------------------------------------------------------------------------
    page.wait_for_selector("input[name='review-confirm']")
    review = page.locator("form.eform").inner_text()
    assert "Công ty TNHH Xây dựng An Bình" in review and agency.name in review
    page.locator("input[name='review-confirm']").check()
    with page.expect_navigation():
        page.locator("form.eform button.primary[type=submit]").click()
    assert "/da-nop/" in page.url
    dossier = Dossier.objects.get(procedure__national_code="1.011876", applicant_user__username="congdan")
    assert dossier.agency_id == agency.pk and dossier.status == Status.NEW
    assert dossier.code in page.locator("main").inner_text()

    # --- the commune's reception officer receives it and downloads the receipt --------------------------
    officer = admin_sign_in(browser, base, demo["officer"], enrol=True)  # first sign-in: set-up
    officer.goto(f"{base}/admin/dossiers/reception/")
    officer.locator(f"a:has-text('{dossier.code}')").first.wait_for()
    act(officer, base, dossier, "receive")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    receipt = officer.locator("a[href*='/slip/receipt.pdf']").first
    receipt.wait_for()
    href = receipt.get_attribute("href")
    response = officer.request.get(href if href.startswith("http") else base + href)
    assert response.ok and response.body().startswith(b"%PDF"), response.status

    def to(holder):
        def fill(box):
            box.locator("select[name='forward-to_holder']").select_option(str(holder.pk))

        return fill

    act(officer, base, dossier, "forward", to(demo["specialist"]))

    # --- the specialist forwards it to the leader ---------------------------------------------------------
    specialist = admin_sign_in(browser, base, demo["specialist"])
    act(specialist, base, dossier, "forward", to(demo["leader"]))

    # --- the leader approves: records the signed result -----------------------------------------------
    leader = admin_sign_in(browser, base, demo["leader"])
    result_pdf = tmp_path / "giay-phep-xay-dung.pdf"
    result_pdf.write_bytes(PDF)

    def record(box):
        box.locator("input[name='record_result-signer']").fill("Lãnh đạo phường Trung Tâm")
        box.locator("input[name='record_result-files']").set_input_files(str(result_pdf))

    act(leader, base, dossier, "record_result", record)
    dossier.refresh_from_db()
    assert dossier.status == Status.RESOLVED

    # --- the officer returns the result -------------------------------------------------------------------
    act(
        officer,
        base,
        dossier,
        "return_result",
        lambda box: box.locator("input[name='return_result-method'][value=online]").check(),
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED, dossier.get_status_display()

    # --- the citizen looks it up by code, downloads the result and rates the service ---------------------
    page.goto(f"{base}/tra-cuu/")
    page.fill("#lookup-code", dossier.code)
    with page.expect_navigation():
        page.locator("#lookup-code").press("Enter")
    page.wait_for_selector(".lookup-result")
    assert dossier.code in page.locator(".lookup-result").inner_text()

    page.goto(f"{base}/tai-khoan/ho-so/")
    mine = page.locator(f"a[href$='/tai-khoan/ho-so/{dossier.pk}/']").first
    mine.wait_for()
    with page.expect_navigation():
        mine.click()
    result = dossier.documents.filter(kind=DocumentKind.RESULT).get()
    link = page.locator(f"a[href$='/tai-lieu/{result.pk}/']").first
    link.wait_for()
    with page.expect_download() as download_info:
        link.click()  # served as an attachment
    download = download_info.value
    saved = tmp_path / "ket-qua.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    rate = page.locator("a.button[href*='/danh-gia/']").first
    rate.wait_for()
    with page.expect_navigation():
        rate.click()
    page.wait_for_selector("form.stacked-form")
    for name in ("overall", "guidance", "attitude", "on_time", "result", "cost"):
        page.locator(f"input[name='{name}'][value='4']").check()  # Satisfaction.VERY_SATISFIED
    page.fill("textarea[name=comment]", "Cán bộ hướng dẫn tận tình.")
    with page.expect_navigation():
        page.locator("form.stacked-form button[type=submit]").click()
    from feedback.models import Rating

    rating = Rating.objects.get(dossier=dossier)
    assert rating.overall == 4
