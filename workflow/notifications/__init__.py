"""The notification outbox: the public API other modules and apps call (never ``outbox``'s private names).

* :func:`queue` writes a dossier's notices (e-mail and/or SMS, by the applicant's choice) in the caller's
  transaction and sends them after commit;
* :func:`write` puts rows other apps build (feedback, reports, warnings) in the outbox, sent after commit;
  :func:`enqueue` / :func:`enqueue_on_commit` queue the sends of rows already there;
* :func:`register_context` lets a higher layer add to a notice's text (feedback's rating link);
* :func:`deliver`, :func:`requeue_stuck` are what the huey tasks run; :func:`sms_backend` is the SMS plugin
  (``SMS_BACKEND``, :mod:`workflow.notifications.sms`).
"""

from workflow.notifications.outbox import (
    MAX_ATTEMPTS,
    SUBJECTS,
    deliver,
    enqueue,
    enqueue_on_commit,
    message_id,
    queue,
    register_context,
    requeue_stuck,
    send_lease,
    sms_backend,
    write,
)

__all__ = [
    "MAX_ATTEMPTS",
    "SUBJECTS",
    "deliver",
    "enqueue",
    "enqueue_on_commit",
    "message_id",
    "queue",
    "register_context",
    "requeue_stuck",
    "send_lease",
    "sms_backend",
    "write",
]
