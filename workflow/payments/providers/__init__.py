"""Payment providers as plugins: one small interface (:class:`~workflow.payments.providers.base.PaymentProvider`),
a registry, a configuration by environment variables (``PAYMENT_PROVIDERS``, each provider's own settings)."""

from django.conf import settings
from django.utils.module_loading import import_string

from workflow.payments.providers.base import Callback, InvalidSignature, PaymentProvider  # noqa: F401

#: name → dotted path of the class; which ones are offered is ``settings.PAYMENT_PROVIDERS``.
KNOWN = {
    "demo": "workflow.payments.providers.demo.DemoProvider",
    "vnpay": "workflow.payments.providers.vnpay.VnpayProvider",
}


def enabled() -> list[str]:
    return [name for name in settings.PAYMENT_PROVIDERS if name in KNOWN]


def get(name: str) -> PaymentProvider:
    if name not in enabled():
        raise KeyError(name)
    return import_string(KNOWN[name])()
