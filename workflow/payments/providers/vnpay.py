"""A bank gateway in the VNPay style (payment URL 2.1.0): a signed redirect, the return URL, the server IPN with
the gateway's reply codes, and the transaction status query.

Signing: the ``vnp_`` fields sorted by name, each ``name=value`` URL-encoded (``quote_plus``), joined with ``&``,
HMAC-SHA512 with the merchant's hash secret, hex. Amounts are sent ×100 (VND has no minor unit but the gateway
expects two implied decimals). Settings: ``PAYMENT_VNPAY_TMN_CODE``, ``PAYMENT_VNPAY_HASH_SECRET``,
``PAYMENT_VNPAY_URL`` (sandbox by default).
"""

import hashlib
import hmac
import json
import urllib.request
from urllib.parse import quote_plus

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.payments.providers.base import Callback, InvalidSignature, PaymentProvider

#: IPN answers the gateway understands.
REPLIES = {
    "accepted": ("00", "Confirm Success"),
    "declined": ("00", "Confirm Success"),
    "pending": ("00", "Confirm Success"),
    "duplicate": ("02", "Order already confirmed"),
    "unknown": ("01", "Order not found"),
    "mismatch": ("04", "Invalid amount"),
    "forged": ("97", "Invalid signature"),
    "error": ("99", "Unknown error"),
}


def post_json(url: str, body: dict, timeout: float = 10.0) -> dict | None:
    """POST JSON, the answer as a dict; None on a timeout, an HTTP error or an answer that is not JSON."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured https URL)
            return json.loads(response.read().decode())
    except (OSError, ValueError):
        return None


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

    def query(self, payment):
        """The gateway's transaction status query (``querydr``): a signed JSON request, the signed answer checked
        like a notification. A timeout or an unreadable answer is None: the payment stays pending."""
        now = timezone.localtime()
        request = {
            "vnp_RequestId": f"{payment.reference}{now:%H%M%S}",
            "vnp_Version": "2.1.0",
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": f"Truy van giao dich {payment.reference}",
            "vnp_TransactionDate": timezone.localtime(payment.created_at).strftime("%Y%m%d%H%M%S"),
            "vnp_CreateDate": now.strftime("%Y%m%d%H%M%S"),
            "vnp_IpAddr": "127.0.0.1",
        }
        order = (
            "vnp_RequestId",
            "vnp_Version",
            "vnp_Command",
            "vnp_TmnCode",
            "vnp_TxnRef",
            "vnp_TransactionDate",
            "vnp_CreateDate",
            "vnp_IpAddr",
            "vnp_OrderInfo",
        )
        data = "|".join(request[key] for key in order)
        request["vnp_SecureHash"] = hmac.new(self.secret.encode(), data.encode(), hashlib.sha512).hexdigest()
        answer = post_json(settings.PAYMENT_VNPAY_QUERY_URL, request)
        if not answer or answer.get("vnp_ResponseCode") != "00":
            return None
        fields = (
            "vnp_ResponseId",
            "vnp_Command",
            "vnp_ResponseCode",
            "vnp_Message",
            "vnp_TmnCode",
            "vnp_TxnRef",
            "vnp_Amount",
            "vnp_BankCode",
            "vnp_PayDate",
            "vnp_TransactionNo",
            "vnp_TransactionType",
            "vnp_TransactionStatus",
            "vnp_OrderInfo",
            "vnp_PromotionCode",
            "vnp_PromotionAmount",
        )
        expected = hmac.new(
            self.secret.encode(), "|".join(str(answer.get(k, "")) for k in fields).encode(), hashlib.sha512
        ).hexdigest()
        if not hmac.compare_digest(str(answer.get("vnp_SecureHash", "")).lower(), expected):
            return None
        status = answer.get("vnp_TransactionStatus")
        amount, remainder = divmod(int(answer.get("vnp_Amount") or 0), 100)
        return Callback(
            reference=str(answer.get("vnp_TxnRef", "")),
            amount=amount if remainder == 0 else -1,
            currency="VND",
            success=status == "00",
            final=status not in ("01", "05"),  # 01 not finished, 05 being refunded
            provider_reference=str(answer.get("vnp_TransactionNo", "")),
            raw={k: str(v) for k, v in answer.items()},
        )

    def answer(self, outcome):
        code, message = REPLIES.get(outcome, REPLIES["error"])
        return {"RspCode": code, "Message": message}, 200
