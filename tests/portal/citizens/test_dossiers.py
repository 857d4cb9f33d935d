"""My dossiers: list with plain-word status and warning colour, detail with timeline and files, answering a
supplement request, asking to withdraw, the pay placeholder; another user's dossier is always a 404."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories.citizens import (
    PDF,
    citizen,
    construction_unit,
    receive,
    request_supplement,
    stored_document,
    submit_online,
)
from tests.factories.files import ATTACKS, attack
from workflow.dossiers import services
from workflow.models import Action, DocumentKind, Dossier, Status
from workflow.models.dossier import STATUS_PLAIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return construction_unit()


@pytest.fixture
def applicant(client):
    user = citizen(full_name="Trần Thị Bình")
    client.force_login(user)
    return user


def test_list_shows_only_my_dossiers_with_plain_status(client, unit, applicant):
    mine = submit_online(unit, applicant)
    other = submit_online(unit, citizen())
    response = client.get(reverse("citizen:dossiers"))
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.code in html and other.code not in html
    assert str(STATUS_PLAIN[Status.NEW]) in html
    assert [row["dossier"].pk for row in response.context["rows"]] == [mine.pk]
    assert reverse("eforms:drafts") in html  # saved e-form drafts live in the e-forms app


def test_a_just_submitted_dossier_shows_the_plain_status_not_the_officials_deadline_badge(client, unit, applicant):
    dossier = submit_online(unit, applicant)  # its reception is due within a working day: the officials' business
    for url in (reverse("citizen:dossiers"), reverse("citizen:dossier", args=[dossier.pk])):
        html = client.get(url).content.decode()
        assert str(STATUS_PLAIN[Status.NEW]) in html
        assert "warning-due_soon" not in html and gettext("Less than one working day left") not in html
    # An overdue reception is not the applicant's to watch either: no warning until an appointment is given.
    late = submit_online(unit, applicant, at=timezone.now() - timedelta(days=10))
    assert "warning-" not in client.get(reverse("citizen:dossier", args=[late.pk])).content.decode()


def test_list_warns_when_the_appointment_has_passed(client, unit, applicant):
    dossier = receive(unit, submit_online(unit, applicant))
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(hours=2))
    response = client.get(reverse("citizen:dossiers"))
    assert response.context["rows"][0]["warning"] == "overdue"
    html = response.content.decode()
    assert 'class="row-overdue"' in html and gettext("Past the appointment date") in html


def test_list_filters_open_and_finished(client, unit, applicant):
    submit_online(unit, applicant)
    assert len(client.get(reverse("citizen:dossiers") + "?show=open").context["rows"]) == 1
    assert len(client.get(reverse("citizen:dossiers") + "?show=closed").context["rows"]) == 0


def test_list_query_count_does_not_grow_with_dossiers(client, unit, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client.get(reverse("citizen:dossiers"))  # warm the per-site settings row
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("citizen:dossiers"))
        return len(queries), len(response.context["rows"])

    submit_online(unit, applicant)
    one = count()
    for _ in range(4):
        submit_online(unit, applicant)
    five = count()
    assert (one[1], five[1]) == (1, 5)
    assert one[0] == five[0] <= 12  # session, user, profile, count, page; the site chrome's own queries


def test_detail_shows_timeline_in_plain_words_and_the_qr(client, unit, applicant):
    dossier = receive(unit, submit_online(unit, applicant))
    response = client.get(reverse("citizen:dossier", args=[dossier.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    texts = [entry.text for entry in response.context["view"].history]
    assert texts[0] == gettext("You submitted the dossier online.")
    assert texts[1] == gettext("%(agency)s received your dossier.") % {"agency": unit.agency.name}
    assert str(STATUS_PLAIN[Status.RECEIVED]) in html
    assert response.context["qr"].startswith("data:image/svg+xml")
    assert f"t={dossier.lookup_token}" in response.context["lookup_link"]  # the owner's QR carries the token
    assert "Tờ khai.pdf" in html  # the applicant's own file
    assert reverse("citizen:dossier_receipt", args=[dossier.pk]) in html


def test_receipt_pdf_is_downloadable_once_received(client, unit, applicant):
    dossier = submit_online(unit, applicant)
    assert client.get(reverse("citizen:dossier_receipt", args=[dossier.pk])).status_code == 404
    receive(unit, dossier)
    response = client.get(reverse("citizen:dossier_receipt", args=[dossier.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")


def test_the_applicants_own_documents_are_served_as_downloads_never_rendered(client, unit, applicant):
    dossier = request_supplement(unit, receive(unit, submit_online(unit, applicant)))
    document = dossier.documents.first()
    response = client.get(reverse("citizen:dossier_document", args=[dossier.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_another_users_dossier_is_a_404_everywhere(client, unit, applicant):
    theirs = request_supplement(unit, receive(unit, submit_online(unit, citizen())))
    document = theirs.documents.first()
    for url in [
        reverse("citizen:dossier", args=[theirs.pk]),
        reverse("citizen:dossier_document", args=[theirs.pk, document.pk]),
        reverse("citizen:dossier_receipt", args=[theirs.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("citizen:dossier_supplement", args=[theirs.pk]),
        reverse("citizen:dossier_withdraw", args=[theirs.pk]),
    ]:
        response = client.post(
            url, {"revision": theirs.revision, "reason": "x", "files": SimpleUploadedFile("a.pdf", PDF)}
        )
        assert response.status_code == 404, url
    theirs.refresh_from_db()
    assert theirs.status == Status.SUPPLEMENT


def test_a_document_of_another_dossier_is_a_404(client, unit, applicant):
    mine = submit_online(unit, applicant)
    theirs = submit_online(unit, citizen())
    assert (
        client.get(reverse("citizen:dossier_document", args=[mine.pk, theirs.documents.first().pk])).status_code == 404
    )


def test_supplement_request_is_answered_with_uploads_and_stored_documents(client, unit, applicant):
    dossier = request_supplement(unit, receive(unit, submit_online(unit, applicant)))
    stored = stored_document(applicant, title="Bản vẽ mặt bằng", name="ban-ve.pdf")
    detail = client.get(reverse("citizen:dossier", args=[dossier.pk]))
    html = detail.content.decode()
    assert "Bổ sung bản vẽ mặt bằng" in html  # the request addressed to the applicant
    assert "Phiếu yêu cầu bổ sung.pdf" in html  # its slip, downloadable
    slip = dossier.documents.get(kind=DocumentKind.SLIP)
    assert "Phiếu yêu cầu bổ sung.pdf" in client.get(reverse("citizen:store")).content.decode()  # data store too
    response = client.get(reverse("citizen:dossier_document", args=[dossier.pk, slip.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF

    response = client.post(
        reverse("citizen:dossier_supplement", args=[dossier.pk]),
        {
            "revision": dossier.revision,
            "files": [SimpleUploadedFile("giay-phep.pdf", PDF)],
            "stored": [stored.pk],
            "comment": "Gửi bổ sung",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    event = dossier.events.get(action=Action.RESUBMIT)
    assert event.actor == applicant and event.comment == "Gửi bổ sung"
    assert sorted(d.name for d in event.documents.all()) == ["Bản vẽ mặt bằng.pdf", "giay-phep.pdf"]
    assert {d.kind for d in event.documents.all()} == {DocumentKind.SUPPLEMENT}


def test_supplement_answer_refuses_bad_files_stale_forms_and_other_users_stored_documents(client, unit, applicant):
    dossier = request_supplement(unit, receive(unit, submit_online(unit, applicant)))
    url = reverse("citizen:dossier_supplement", args=[dossier.pk])
    response = client.post(url, {"revision": dossier.revision, "files": [SimpleUploadedFile("x.pdf", b"MZ exe")]})
    assert response.status_code == 400
    for kind in ATTACKS:
        evil = attack(kind)
        response = client.post(url, {"revision": dossier.revision, "files": [evil]})
        assert response.status_code == 400 and evil.name in response.content.decode(), kind
    response = client.post(url, {"revision": dossier.revision})
    assert response.status_code == 400  # nothing attached
    foreign = stored_document(citizen())
    response = client.post(url, {"revision": dossier.revision, "stored": [foreign.pk]})
    assert response.status_code == 400 and "stored" in response.context["supplement_form"].errors
    response = client.post(url, {"revision": dossier.revision - 1, "files": [SimpleUploadedFile("a.pdf", PDF)]})
    assert response.status_code == 400 and response.context["supplement_form"].non_field_errors()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT


def test_supplement_answer_when_nothing_was_requested_is_refused(client, unit, applicant):
    dossier = submit_online(unit, applicant)
    response = client.post(
        reverse("citizen:dossier_supplement", args=[dossier.pk]),
        {"revision": dossier.revision, "files": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == Status.NEW


def test_withdrawal_request(client, unit, applicant):
    dossier = receive(unit, submit_online(unit, applicant))
    url = reverse("citizen:dossier_withdraw", args=[dossier.pk])
    assert client.post(url, {"revision": dossier.revision, "reason": ""}).status_code == 400
    response = client.post(
        url,
        {
            "revision": dossier.revision,
            "reason": "Tôi không còn nhu cầu",
            "file": SimpleUploadedFile("don-rut.pdf", PDF),
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWAL
    event = dossier.events.get(action=Action.WITHDRAW)
    assert event.comment == "Tôi không còn nhu cầu" and event.documents.get().kind == DocumentKind.WITHDRAWAL
    detail = client.get(reverse("citizen:dossier", args=[dossier.pk]))
    assert detail.context["withdrawal_form"] is None
    assert gettext("You asked to withdraw the dossier.") in [entry.text for entry in detail.context["view"].history]
    response = client.post(url, {"revision": dossier.revision, "reason": "lại"})
    assert response.status_code == 302  # no longer possible: back to the dossier with a message


def test_pay_online_then_the_receipt_in_my_dossier(client, unit, applicant):
    dossier = receive(unit, submit_online(unit, applicant))
    services.dossier_request_payment(actor=unit.officer, dossier_id=dossier.pk, amount=150000)
    html = client.get(reverse("citizen:dossier", args=[dossier.pk])).content.decode()
    assert "150.000" in html and reverse("payments:start", args=[dossier.pk]) in html
    assert 'name="provider" value="demo"' in html
    response = client.post(reverse("payments:start", args=[dossier.pk]), {"provider": "demo"})
    sandbox = response["Location"]
    back = client.post(sandbox, {"result": "approved"})["Location"]
    assert "Đã thanh toán" in client.get(back).content.decode()
    html = client.get(reverse("citizen:dossier", args=[dossier.pk])).content.decode()
    payment = dossier.payments.get()
    assert f"Biên lai {payment.receipt_number} – 150.000 đ" in html
    receipt = client.get(reverse("citizen:dossier_payment_receipt", args=[dossier.pk, payment.pk]))
    assert receipt["Content-Type"] == "application/pdf" and receipt.content.startswith(b"%PDF")
    assert payment.receipt_number == f"{payment.settled_at.year}-000001"


def test_pay_online_is_said_to_be_unavailable_when_no_provider_is_configured(client, unit, applicant, settings):
    settings.PAYMENT_PROVIDERS = []
    dossier = receive(unit, submit_online(unit, applicant))
    services.dossier_request_payment(actor=unit.officer, dossier_id=dossier.pk, amount=150000)
    html = client.get(reverse("citizen:dossier", args=[dossier.pk])).content.decode()
    assert (
        gettext(
            "Online payment is not yet available. Please pay at the agency's counter or as the "
            "payment request explains."
        )
        in html
    )  # {% trans %} output is not escaped


def test_internal_moves_show_only_where_the_dossier_is(client, unit, applicant):
    dossier = receive(unit, submit_online(unit, applicant))
    services.dossier_forward(
        actor=unit.officer, dossier_id=dossier.pk, comment="Ghi chú nội bộ", to_holder=unit.specialist
    )
    html = client.get(reverse("citizen:dossier", args=[dossier.pk])).content.decode()
    assert "Ghi chú nội bộ" not in html
    assert "Phòng Quản lý xây dựng thẩm định" in html


def test_staff_see_no_citizen_dossier_pages(client, unit):
    dossier = submit_online(unit, citizen())
    client.force_login(unit.officer)
    assert client.get(reverse("citizen:dossier", args=[dossier.pk])).status_code == 403


def test_finished_dossier_offers_rating_once(client, unit, applicant):
    from feedback import ratings

    dossier = submit_online(unit, applicant)
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RETURNED)
    url = reverse("citizen:dossier", args=[dossier.pk])
    html = client.get(url).content.decode()
    assert ratings.rating_account_url(dossier) in html
    ratings.rating_submit(
        dossier_code=dossier.code,
        user=applicant,
        scores=ratings.Scores(overall=4, guidance=4, attitude=4, on_time=4, result=4, cost=4),
    )
    html = client.get(url).content.decode()
    assert ratings.rating_account_url(dossier) not in html
