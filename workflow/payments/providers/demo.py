"""The offline demo provider: a sandbox page on this site lets the tester approve, decline or cancel, and the
result comes back as a signed message exactly like a real provider's (HMAC-SHA256 over the sorted fields with
``PAYMENT_DEMO_SECRET``), so every flow is testable with no network."""

import hashlib
import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workflow.payments.providers.base import Callback, InvalidSignature, PaymentProvider

FIELDS = ("reference", "amount", "currency", "result", "transaction")


def sign(params: dict) -> str:
    message = "&".join(f"{key}={params.get(key, '')}" for key in FIELDS)
    return hmac.new(settings.PAYMENT_DEMO_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()


class DemoProvider(PaymentProvider):
    name = "demo"
    label = _("Demo payment (no real money)")

    def start(self, payment, *, return_url, notify_url, client_ip="127.0.0.1"):
        return f"{reverse('payments:demo_sandbox', args=[payment.reference])}?{urlencode({'next': return_url})}"

    def message(self, payment, result: str, transaction: str) -> dict:
        """What the sandbox sends back for ``result`` (approved / declined / cancelled), signed."""
        params = {
            "reference": payment.reference,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "result": result,
            "transaction": transaction,
        }
        return {**params, "signature": sign(params)}

    def read(self, params):
        if not hmac.compare_digest(str(params.get("signature", "")), sign(params)):
            raise InvalidSignature
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            raise InvalidSignature from None
        return Callback(
            reference=params.get("reference", ""),
            amount=amount,
            currency=params.get("currency", ""),
            success=params.get("result") == "approved",
            provider_reference=params.get("transaction", ""),
            raw=dict(params),
        )

    def refund(self, payment, amount):
        return f"DEMO-REFUND-{payment.pk}-{amount}"
