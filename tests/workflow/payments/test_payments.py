"""Online payment of a dossier's fees (issue 18 items 2-3): the demo provider and the VNPay-style gateway with its
real signing rules; callbacks verified first, matched on reference, amount and currency, idempotent, logged."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories.workflow import UserFactory
from tests.workflow.dossiers.test_services import receive, t, unit  # noqa: F401 (fixture)
from workflow.dossiers import services as dossier_services
from workflow.errors import ActionNotAllowed, InvalidState
from workflow.models import (
    CallbackOutcome,
    Dossier,
    ImmutableRecordError,
    Payment,
    PaymentCallback,
    PaymentStatus,
    Status,
)
from workflow.payments import services
from workflow.payments.providers import demo, vnpay

pytestmark = pytest.mark.django_db

RETURN, NOTIFY = (
    "https://dichvucong.example.vn/thanh-toan/ket-qua/x/",
    "https://dichvucong.example.vn/thanh-toan/thong-bao/x/",
)


@pytest.fixture
def settings_with_vnpay(settings):
    settings.PAYMENT_PROVIDERS = ["demo", "vnpay"]
    settings.PAYMENT_VNPAY_TMN_CODE = "TTHC0001"
    settings.PAYMENT_VNPAY_HASH_SECRET = "SECRETKEYFORTESTS"
    return settings


@pytest.fixture
def waiting(unit, settings_with_vnpay):
    """A counter dossier of a signed-in citizen, asked to pay 150.000 đ (status 6, the clock paused)."""
    citizen = UserFactory(username="congdan", is_staff=False)
    d = receive(unit, t("2026-03-02 08:00"))
    Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen)
    d = dossier_services.dossier_request_payment(
        actor=unit.officer, dossier_id=d.pk, amount=150000, at=t("2026-03-02 09:00")
    )
    d.citizen = citizen
    return d


def start(d, provider="demo"):
    return services.payment_start(
        actor=d.citizen, dossier_id=d.pk, provider_name=provider, return_url=RETURN, notify_url=NOTIFY
    )


def test_an_approved_demo_payment_continues_the_dossier_once(waiting):
    payment, address = start(waiting)
    assert payment.amount == 150000 and payment.status == PaymentStatus.PENDING
    assert address.startswith(reverse("payments:demo_sandbox", args=[payment.reference]))
    message = demo.DemoProvider().message(payment, "approved", "DEMO1")
    assert services.payment_message(provider_name="demo", params=message, kind="notify")[0] == CallbackOutcome.ACCEPTED
    dossier = Dossier.objects.get(pk=waiting.pk)
    assert dossier.status == Status.PROCESSING and dossier.clock_paused_at is None
    # The payer's return with the same message, and the notification again: recorded once.
    assert services.payment_message(provider_name="demo", params=message, kind="return")[0] == CallbackOutcome.DUPLICATE
    assert services.payment_message(provider_name="demo", params=message, kind="notify")[0] == CallbackOutcome.DUPLICATE
    assert Payment.objects.get().status == PaymentStatus.PAID
    assert dossier.events.filter(action="confirm_payment").count() == 1
    assert list(PaymentCallback.objects.order_by("pk").values_list("outcome", flat=True)) == [
        CallbackOutcome.ACCEPTED,
        CallbackOutcome.DUPLICATE,
        CallbackOutcome.DUPLICATE,
    ]


def test_a_double_click_on_pay_starts_one_payment(waiting):
    first, _ = start(waiting)
    second, _ = start(waiting)
    assert first.pk == second.pk and Payment.objects.count() == 1


def test_forged_wrong_amount_and_unknown_messages_change_nothing_and_are_logged(waiting):
    payment, _ = start(waiting)
    good = demo.DemoProvider().message(payment, "approved", "DEMO1")
    forged = {**good, "amount": "1"}  # the signature no longer matches
    tampered_signature = {**good, "signature": "0" * 64}
    cheap = demo.DemoProvider().message(payment, "approved", "DEMO1")
    cheap = {**cheap, "amount": "1000"}
    cheap["signature"] = demo.sign(cheap)  # genuinely signed, but not the amount asked
    unknown = {**good, "reference": "TT000000NOPE"}
    unknown["signature"] = demo.sign(unknown)
    outcomes = [
        services.payment_message(provider_name="demo", params=p, kind="notify")[0]
        for p in (forged, tampered_signature, cheap, unknown)
    ]
    assert outcomes == [
        CallbackOutcome.FORGED,
        CallbackOutcome.FORGED,
        CallbackOutcome.MISMATCH,
        CallbackOutcome.UNKNOWN,
    ]
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PAYMENT
    assert PaymentCallback.objects.count() == 4
    log = PaymentCallback.objects.get(outcome=CallbackOutcome.MISMATCH)
    assert log.payment == payment and "1000" in log.detail
    with pytest.raises(ImmutableRecordError):
        log.save()


def test_a_declined_then_approved_payment_ends_paid(waiting):
    payment, _ = start(waiting)
    provider = demo.DemoProvider()

    def send(result, transaction):
        params = provider.message(payment, result, transaction)
        return services.payment_message(provider_name="demo", params=params, kind="notify")[0]

    assert send("declined", "D1") == CallbackOutcome.DECLINED
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert send("approved", "D2") == CallbackOutcome.ACCEPTED
    assert Payment.objects.get().status == PaymentStatus.PAID
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING


def test_only_the_applicant_pays_and_only_a_dossier_waiting_for_payment(waiting, unit):
    with pytest.raises(ActionNotAllowed):
        services.payment_start(
            actor=unit.officer, dossier_id=waiting.pk, provider_name="demo", return_url=RETURN, notify_url=NOTIFY
        )
    payment, _ = start(waiting)
    services.payment_message(
        provider_name="demo", params=demo.DemoProvider().message(payment, "approved", "X"), kind="notify"
    )
    with pytest.raises(InvalidState):
        start(waiting)  # paid: nothing is due any more


# --- VNPay-style gateway ------------------------------------------------------------------------------------------


def gateway_reply(address, *, code="00", status="00", amount=None, secret="SECRETKEYFORTESTS"):
    """What the gateway sends back for the payment in ``address``, signed with the merchant's secret."""
    sent = {k: v[0] for k, v in parse_qs(urlsplit(address).query).items()}
    reply = {
        "vnp_TmnCode": sent["vnp_TmnCode"],
        "vnp_Amount": amount or sent["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_TxnRef": sent["vnp_TxnRef"],
        "vnp_OrderInfo": sent["vnp_OrderInfo"],
        "vnp_ResponseCode": code,
        "vnp_TransactionStatus": status,
        "vnp_TransactionNo": "14422574",
        "vnp_PayDate": "20260302101500",
    }
    reply["vnp_SecureHashType"] = "HmacSHA512"
    reply["vnp_SecureHash"] = vnpay.signature(reply, secret)
    return reply


def test_the_vnpay_redirect_is_signed_over_the_sorted_encoded_fields(waiting):
    payment, address = start(waiting, "vnpay")
    sent = {k: v[0] for k, v in parse_qs(urlsplit(address).query).items()}
    assert sent["vnp_Amount"] == "15000000"  # ×100
    assert sent["vnp_TxnRef"] == payment.reference and sent["vnp_ReturnUrl"] == RETURN
    # Recomputed by hand: sorted names, quote_plus values, HMAC-SHA512.
    import hashlib
    import hmac
    from urllib.parse import quote_plus

    fields = {k: v for k, v in sent.items() if k != "vnp_SecureHash"}
    text = "&".join(f"{k}={quote_plus(fields[k])}" for k in sorted(fields))
    assert sent["vnp_SecureHash"] == hmac.new(b"SECRETKEYFORTESTS", text.encode(), hashlib.sha512).hexdigest()


def test_the_vnpay_ipn_answers_in_the_gateways_codes(client, waiting):
    payment, address = start(waiting, "vnpay")
    url = reverse("payments:notify", args=["vnpay"])
    forged = gateway_reply(address, secret="WRONG")
    assert client.get(url, forged).json() == {"RspCode": "97", "Message": "Invalid signature"}
    wrong_amount = gateway_reply(address, amount="100000")
    assert client.get(url, wrong_amount).json()["RspCode"] == "04"
    good = gateway_reply(address)
    assert client.get(url, good).json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert client.get(url, good).json()["RspCode"] == "02"  # already confirmed
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.provider_reference == "14422574"
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING
    # The payer comes back after the IPN: told it is paid, nothing recorded twice.
    page = client.get(reverse("payments:return", args=["vnpay"]), good)
    assert page.status_code == 200 and payment.reference in page.content.decode()
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1


def test_the_demo_sandbox_approves_through_a_signed_answer(client, waiting):
    client.force_login(waiting.citizen)
    response = client.post(reverse("payments:start", args=[waiting.pk]), {"provider": "demo"})
    assert response.status_code == 302
    sandbox = response["Location"]
    assert "150.000" in client.get(sandbox).content.decode()
    response = client.post(sandbox, {"result": "approved"})
    assert response.status_code == 302 and "/thanh-toan/ket-qua/demo/" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING
    assert list(PaymentCallback.objects.order_by("pk").values_list("kind", "outcome")) == [
        ("notify", CallbackOutcome.ACCEPTED),
        ("return", CallbackOutcome.DUPLICATE),
    ]


def test_the_766_online_payment_group_counts_dossiers_paid_online(waiting, unit):
    from workflow.reports import index766
    from workflow.reports.periods import Period

    other = receive(unit, t("2026-03-03 08:00"))
    dossier_services.dossier_request_payment(
        actor=unit.officer, dossier_id=other.pk, amount=50000, at=t("2026-03-03 09:00")
    )
    payment, _ = start(waiting)
    services.payment_message(
        provider_name="demo", params=demo.DemoProvider().message(payment, "approved", "X"), kind="notify"
    )
    (agency,) = [
        a
        for a in index766.index_766(period=Period.month(2026, 3), now=t("2026-04-01 08:00"))
        if a.agency_id == unit.agency.pk
    ]
    assert agency.inputs["online_payment"] == (1, 2)  # two asked to pay in March, one paid online
    assert agency.rates["online_payment"] == 0.5


# --- polling pending payments ---------------------------------------------------------------------------------------


def _querydr_answer(payment, *, status="00", secret="SECRETKEYFORTESTS", amount=None):
    import hashlib
    import hmac

    answer = {
        "vnp_ResponseId": "R1",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "TTHC0001",
        "vnp_TxnRef": payment.reference,
        "vnp_Amount": str(amount or payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20260302101500",
        "vnp_TransactionNo": "14422999",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": status,
        "vnp_OrderInfo": "x",
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    fields = list(answer)
    text = "|".join(answer[k] for k in fields)
    answer["vnp_SecureHash"] = hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()
    return answer


def test_a_pending_payment_is_polled_until_the_gateway_decides(waiting, monkeypatch):
    payment, _ = start(waiting, "vnpay")
    Payment.objects.filter(pk=payment.pk).update(created_at=payment.created_at - timedelta(minutes=20))
    sent = []
    answers = [
        None,
        _querydr_answer(payment, status="01"),
        _querydr_answer(payment, secret="FORGED"),
        _querydr_answer(payment),
    ]

    def fake_gateway(url, body, timeout=10.0):
        sent.append(body)
        return answers.pop(0)

    monkeypatch.setattr(vnpay, "post_json", fake_gateway)
    assert services.poll_pending() == 1 and Payment.objects.get().status == PaymentStatus.PENDING  # timeout
    services.poll_pending()  # "01": not finished yet
    assert Payment.objects.get().status == PaymentStatus.PENDING
    services.poll_pending()  # a forged answer is ignored
    assert Payment.objects.get().status == PaymentStatus.PENDING
    services.poll_pending()
    assert Payment.objects.get().status == PaymentStatus.PAID
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING
    assert sent[0]["vnp_Command"] == "querydr" and sent[0]["vnp_TxnRef"] == payment.reference
    assert services.poll_pending() == 0  # nothing pending any more
    logged = list(PaymentCallback.objects.filter(kind="query").order_by("pk").values_list("outcome", flat=True))
    assert logged == [CallbackOutcome.PENDING, CallbackOutcome.ACCEPTED]  # "not decided yet", then paid


# --- refunds (QN 13.3c) -------------------------------------------------------------------------------------------


def _paid(waiting):
    payment, _ = start(waiting)
    services.payment_message(
        provider_name="demo", params=demo.DemoProvider().message(payment, "approved", "X"), kind="notify"
    )
    return Payment.objects.get(pk=payment.pk)


def test_a_refund_asked_by_the_applicant_and_approved_by_the_unit_goes_back_through_the_provider(waiting, unit):
    from workflow.models import RefundReason, RefundStatus

    payment = _paid(waiting)
    refund = services.refund_request(
        actor=waiting.citizen, payment_id=payment.pk, amount=50000, reason=RefundReason.OVERPAID, note="Nộp thừa"
    )
    assert refund.status == RefundStatus.REQUESTED
    refund = services.refund_decide(actor=unit.officer, refund_id=refund.pk, approve=True)
    assert refund.status == RefundStatus.REFUNDED and not refund.manual
    assert refund.provider_reference.startswith("DEMO-REFUND-")
    assert refund.receipt_number.endswith("-000002")  # the payment's receipt was -000001
    with pytest.raises(InvalidState):
        services.refund_decide(actor=unit.officer, refund_id=refund.pk, approve=True)  # decided once


def test_a_refund_larger_than_what_is_left_is_refused(waiting, unit):
    from workflow.errors import InvalidInput
    from workflow.models import Refund, RefundReason

    payment = _paid(waiting)
    services.refund_request(actor=unit.officer, payment_id=payment.pk, amount=100000, reason=RefundReason.NOT_DELIVERED)
    with pytest.raises(InvalidInput) as refused:
        services.refund_request(actor=unit.officer, payment_id=payment.pk, amount=60000, reason=RefundReason.PAID_TWICE)
    assert "50.000 đ" in str(refused.value.message)
    assert Refund.objects.count() == 1
    stranger = UserFactory(username="nguoila", is_staff=False)
    with pytest.raises(ActionNotAllowed):
        services.refund_request(actor=stranger, payment_id=payment.pk, amount=1000, reason=RefundReason.OVERPAID)
    with pytest.raises(ActionNotAllowed):
        services.refund_decide(actor=waiting.citizen, refund_id=Refund.objects.get().pk, approve=True)
