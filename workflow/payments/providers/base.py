"""The interface every payment provider implements, in the spirit of Open Forms' payment plugins: start a
payment (where to send the payer), read what the provider sends back (return and server notification, the
signature checked before anything else), say what the provider expects as an answer, and ask for a status."""

from dataclasses import dataclass, field


class InvalidSignature(Exception):
    """The message is not from the provider (or was changed on the way)."""


@dataclass(frozen=True)
class Callback:
    """What a provider's message says, once its signature is verified."""

    reference: str
    amount: int
    currency: str
    success: bool
    provider_reference: str = ""
    #: False while the provider has not decided (the payment stays pending and is polled).
    final: bool = True
    raw: dict = field(default_factory=dict)


class PaymentProvider:
    name = ""
    label = ""

    def start(self, payment, *, return_url: str, notify_url: str, client_ip: str = "127.0.0.1") -> str:
        """The address to send the payer to."""
        raise NotImplementedError

    def read(self, params: dict) -> Callback:
        """Verify and read a return or notification; raise :class:`InvalidSignature` when it is not genuine."""
        raise NotImplementedError

    def answer(self, outcome: str) -> tuple[dict, int]:
        """The body and HTTP status the provider expects back for a notification with this outcome."""
        return {"outcome": outcome}, 200

    def refund(self, payment, amount: int) -> str | None:
        """Give ``amount`` back through the provider: its refund number, or None when it cannot (paid back by
        hand then)."""
        return None

    def query(self, payment) -> Callback | None:
        """The provider's current word on a pending payment (None when it cannot be asked)."""
        return None
