"""A bank gateway in the VNPay style (payment URL 2.1.0): a signed redirect, the return URL, the server IPN with
the gateway's reply codes, and the transaction status query.

Signing: the ``vnp_`` fields sorted by name, each ``name=value`` URL-encoded (``quote_plus``), joined with ``&``,
HMAC-SHA512 with the merchant's hash secret, hex. Amounts are sent ×100 (VND has no minor unit but the gateway
expects two implied decimals). Settings: ``PAYMENT_VNPAY_TMN_CODE``, ``PAYMENT_VNPAY_HASH_SECRET``,
``PAYMENT_VNPAY_URL`` (sandbox by default).
"""

import hashlib
import hmac
from urllib.parse import quote_plus

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.payments.providers.base import Callback, InvalidSignature, PaymentProvider

#: IPN answers the gateway understands.
REPLIES = {
    "accepted": ("00", "Confirm Success"),
    "declined": ("00", "Confirm Success"),
    "duplicate": ("02", "Order already confirmed"),
    "unknown": ("01", "Order not found"),
    "mismatch": ("04", "Invalid amount"),
    "forged": ("97", "Invalid signature"),
    "error": ("99", "Unknown error"),
}


def query_string(params: dict) -> str:
    return "&".join(f"{key}={quote_plus(str(params[key]))}" for key in sorted(params) if key.startswith("vnp_"))


def signature(params: dict, secret: str) -> str:
    fields = {k: v for k, v in params.items() if k not in ("vnp_SecureHash", "vnp_SecureHashType") and v != ""}
    return hmac.new(secret.encode(), query_string(fields).encode(), hashlib.sha512).hexdigest()


class VnpayProvider(PaymentProvider):
    name = "vnpay"
    label = _("Bank card or account (VNPay)")

    def __init__(self):
        self.tmn_code = settings.PAYMENT_VNPAY_TMN_CODE
        self.secret = settings.PAYMENT_VNPAY_HASH_SECRET
        self.url = settings.PAYMENT_VNPAY_URL

    def start(self, payment, *, return_url, notify_url, client_ip="127.0.0.1"):
        now = timezone.localtime()
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": f"Thanh toan le phi ho so {payment.dossier.code}",
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip,
            "vnp_CreateDate": now.strftime("%Y%m%d%H%M%S"),
        }
        return f"{self.url}?{query_string(params)}&vnp_SecureHash={signature(params, self.secret)}"

    def read(self, params):
        given = str(params.get("vnp_SecureHash", "")).lower()
        if not given or not hmac.compare_digest(given, signature(params, self.secret)):
            raise InvalidSignature
        try:
            amount, remainder = divmod(int(params.get("vnp_Amount", "")), 100)
        except ValueError:
            raise InvalidSignature from None
        return Callback(
            reference=str(params.get("vnp_TxnRef", "")),
            amount=amount if remainder == 0 else -1,
            currency="VND",
            success=params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus") == "00",
            provider_reference=str(params.get("vnp_TransactionNo", "")),
            raw=dict(params),
        )

    def answer(self, outcome):
        code, message = REPLIES.get(outcome, REPLIES["error"])
        return {"RspCode": code, "Message": message}, 200
