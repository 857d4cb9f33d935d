"""SMS backends. Production plugs in the province's SMS gateway with SMS_BACKEND = "dotted.path"."""

import logging
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("workflow.notifications.sms")


class ConsoleSmsBackend:
    def send(self, phone, text):
        logger.info("SMS to %s: %s", phone, text)


class FileSmsBackend:
    """Appends each message to SMS_FILE_PATH (default var/sms.log)."""

    def send(self, phone, text):
        path = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms.log"))
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"{phone}\t{text}\n")


class LocmemSmsBackend:
    """Keeps messages in memory for tests."""

    outbox: list = []

    def send(self, phone, text):
        LocmemSmsBackend.outbox.append((phone, text))
