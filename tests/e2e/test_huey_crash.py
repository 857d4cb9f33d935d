"""A huey consumer killed mid-send: the message still goes out, once (workflow/notifications/outbox.py).

The first tests drive the outbox in-process (claims, leases, the periodic sweep). ``test_consumer_killed_mid_send``
starts a REAL consumer (``manage.py run_huey``) in a subprocess on a temporary SQLite database, with huey on
SQLite and -- when ``redis-server`` is installed -- on a throw-away Redis, kills it with SIGKILL while it is
sending an e-mail, starts a second consumer and checks that every message was sent exactly once.
"""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "manage.py").is_file())
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


class BlockingFileEmailBackend(BaseEmailBackend):
    """Test-only (tests/e2e/huey_crash_settings.py): appends each message to ``$HUEY_CRASH_DIR/sent.log`` once the
    send is over; every attempt is first logged to ``attempts.log``. A message to an address containing "block"
    hangs before it is handed over until the file ``release`` exists -- the consumer is killed meanwhile."""

    def send_messages(self, messages):
        folder = Path(os.environ["HUEY_CRASH_DIR"])
        for message in messages:
            line = json.dumps({"to": message.to[0], "message_id": message.extra_headers.get("Message-ID")})
            _append(folder / "attempts.log", line)
            if "block" in message.to[0]:
                while not (folder / "release").exists():
                    time.sleep(0.05)
            _append(folder / "sent.log", line)
        return len(messages)


def _append(path, line):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


# --- the outbox in-process ---------------------------------------------------------------------------------------


def _row(recipient="dan@example.com", **fields):
    from workflow.models import Notification

    return Notification.objects.create(
        channel="email",
        recipient=recipient,
        kind="feedback_received",
        subject="Phản ánh đã được tiếp nhận",
        body="Nội dung",
        **fields,
    )


@pytest.mark.django_db
def test_a_message_claimed_by_a_live_worker_is_not_sent_by_another_until_its_lease_lapses():
    from workflow.models import Notification
    from workflow.notifications.outbox import _claim, deliver, message_id, requeue_stuck

    row = _row()
    assert _claim(row.pk) is not None  # a worker is sending it right now
    row.refresh_from_db()
    assert row.state == "sending" and row.attempts == 1

    assert deliver(row.pk) is False  # a duplicate task, a second worker
    assert requeue_stuck(grace=timedelta(0)) == []  # the sweep leaves a live claim alone
    assert mail.outbox == []

    # The worker died: its claim lapses and the sweep sends the message, once, under the same Message-ID.
    Notification.objects.filter(pk=row.pk).update(claimed_until=row.claimed_until - timedelta(hours=1))
    assert requeue_stuck() == [row.pk]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dan@example.com"]
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id(row)
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 2 and row.claimed_until is None
    assert requeue_stuck(grace=timedelta(0)) == [] and deliver(row.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_send_is_released_for_the_next_attempt(monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    from workflow.notifications.outbox import deliver

    row = _row()
    original = EmailBackend.send_messages

    def refused(self, messages):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    with pytest.raises(ConnectionRefusedError):
        deliver(row.pk)
    row.refresh_from_db()
    assert row.state == "pending" and row.attempts == 1 and "SMTP server down" in row.last_error

    monkeypatch.setattr(EmailBackend, "send_messages", original)
    assert deliver(row.pk) is True
    row.refresh_from_db()
    assert row.state == "sent" and row.last_error == "" and len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_queues_only_rows_that_should_have_gone_out():
    from django.utils import timezone

    from workflow.models import Notification
    from workflow.notifications.outbox import MAX_ATTEMPTS, requeue_stuck

    fresh = _row("fresh@example.com")  # its task is still in the queue
    lost = _row("lost@example.com")  # its task died with a consumer before it ran
    given_up = _row("given-up@example.com", attempts=MAX_ATTEMPTS)
    sent = _row("sent@example.com", sent_at=timezone.now())
    Notification.objects.filter(pk__in=[lost.pk, given_up.pk, sent.pk]).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )

    assert requeue_stuck() == [lost.pk]
    assert [m.to for m in mail.outbox] == [["lost@example.com"]]
    assert Notification.objects.get(pk=fresh.pk).state == "pending"


# --- a real consumer, killed ----------------------------------------------------------------------------------------

# One Django process drives the scenario's side of the application (so its start-up is paid once, while the
# first consumer starts): it writes the outbox rows, then -- once the test has killed that consumer and touched
# "go" -- queues the periodic sweep as the crontab would, and at the end duplicate tasks and a marker message.
DRIVER = """
import os, time
from pathlib import Path
import django; django.setup()
from django.db import connection, transaction
from django.utils import timezone
from feedback.notify import _queue
from workflow.models import Dossier, Notification
from workflow.notifications import enqueue
from workflow.tasks import resend_unsent_notifications

folder = Path(os.environ["HUEY_CRASH_DIR"])

def wait(condition):
    deadline = time.monotonic() + 300
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)

with connection.schema_editor() as editor:  # the outbox table (and the one its foreign key names) -- no more needed
    editor.create_model(Dossier)
    editor.create_model(Notification)
with transaction.atomic():  # the outbox rows; their huey tasks are queued on commit
    _queue(["a.fast@example.com", "b.block@example.com"], "feedback_test", "Crash test", "Body")

wait(lambda: (folder / "go").exists())
wait(lambda: not Notification.objects.filter(sent_at__isnull=True, claimed_until__gt=timezone.now()).exists())
resend_unsent_notifications()  # the sweep, run by the new consumer
wait(lambda: not Notification.objects.filter(sent_at__isnull=True).exists())
# Duplicate tasks for every row (a huey retry, an overlapping sweep...), then a marker queued behind them.
enqueue(list(Notification.objects.values_list("pk", flat=True)))
with transaction.atomic():
    _queue(["c.marker@example.com"], "feedback_test", "Marker", "Body")
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["sqlite", "redis"])
def huey_env(request, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.e2e.huey_crash_settings",
        VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        HUEY_CRASH_DIR=str(tmp_path),
        PYTHONUNBUFFERED="1",
    )
    redis = None
    if request.param == "redis":
        server = shutil.which("redis-server")
        if not server:
            pytest.skip("redis-server is not installed: the consumer-crash test ran on huey's SQLite storage only")
        port = _free_port()
        redis = subprocess.Popen(
            [
                server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and redis.poll() is None, "redis-server did not start"
                time.sleep(0.05)
        env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    yield env
    if redis is not None:
        redis.kill()
        redis.wait(10)


def _consumer(env, log):
    # One worker, so the queue is worked in order; no periodic tasks (the test queues the sweep itself);
    # poll SQLite every 50-200 ms instead of backing off to 10 s.
    return subprocess.Popen(
        [PYTHON, "manage.py", "run_huey", "-w", "1", "-n", "-d", "0.05", "-m", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


#: How long any one event may take at most. Each wait ends as soon as its event happens; the bound only turns a
#: hang into a failure, so it is generous: starting a Django process on a busy 2-core machine (the suite runs
#: with -n 2) took over 20 s once, and a bound of 20 s made the test fail for the machine's speed alone.
BOUND = 300


def _wait_for(predicate, what, consumer_log, timeout=BOUND):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}; consumer log:\n{consumer_log()[-3000:]}"
        time.sleep(0.05)


def _rows(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        return {
            r["recipient"]: dict(r)
            for r in conn.execute("select recipient, sent_at, claimed_until, attempts from workflow_notification")
        }


def test_consumer_killed_mid_send_sends_each_message_exactly_once(huey_env, tmp_path):
    folder, db = tmp_path, tmp_path / "db.sqlite3"
    sent, attempts = folder / "sent.log", folder / "attempts.log"
    log_a, log_b, log_driver = (
        open(folder / name, "wb") for name in ("consumer-a.log", "consumer-b.log", "driver.log")
    )

    def logs():
        return "\n".join(
            (folder / name).read_text(errors="replace")[-2000:]
            for name in ("driver.log", "consumer-a.log", "consumer-b.log")
        )

    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [PYTHON, "-c", DRIVER], cwd=ROOT, env=huey_env, stdout=log_driver, stderr=subprocess.STDOUT
            )
        )
        processes.append(_consumer(huey_env, log_a))
        # The first message goes out; the second hangs inside the e-mail backend.
        _wait_for(lambda: any(a["to"].startswith("b.block") for a in _lines(attempts)), "the blocking send", logs)
        _wait_for(lambda: _rows(db)["a.fast@example.com"]["sent_at"], "the first message's sent mark", logs)
        assert [m["to"] for m in _lines(sent)] == ["a.fast@example.com"]
        os.kill(processes[1].pid, signal.SIGKILL)
        processes[1].wait(10)

        # What the dead consumer left: one message sent and marked, one claimed ("sending"), its huey task gone.
        rows = _rows(db)
        assert rows["a.fast@example.com"]["sent_at"] and rows["a.fast@example.com"]["claimed_until"] is None
        stuck = rows["b.block@example.com"]
        assert stuck["sent_at"] is None and stuck["claimed_until"] and stuck["attempts"] == 1

        (folder / "release").touch()  # the mail server answers again
        processes.append(_consumer(huey_env, log_b))
        (folder / "go").touch()  # the driver waits for the claim to lapse, then queues the sweep
        _wait_for(lambda: any(m["to"].startswith("c.marker") for m in _lines(sent)), "the marker message", logs)
        assert processes[0].wait(BOUND) == 0, logs()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        for log in (log_a, log_b, log_driver):
            log.close()

    recipients = [m["to"] for m in _lines(sent)]
    assert sorted(recipients) == ["a.fast@example.com", "b.block@example.com", "c.marker@example.com"], logs()
    # The killed send was tried twice -- and handed over once, under one Message-ID.
    blocked = [a for a in _lines(attempts) if a["to"] == "b.block@example.com"]
    assert len(blocked) == 2 and blocked[0]["message_id"] == blocked[1]["message_id"]
    assert blocked[0]["message_id"].startswith("<tthc-notification-")
    rows = _rows(db)
    assert all(row["sent_at"] and row["claimed_until"] is None for row in rows.values()), rows
    assert rows["b.block@example.com"]["attempts"] == 2 and rows["a.fast@example.com"]["attempts"] == 1
