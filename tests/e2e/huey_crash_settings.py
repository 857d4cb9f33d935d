"""Settings of the real huey consumer that tests/e2e/test_huey_crash.py starts and kills (``run_huey`` in a subprocess).

The production settings, with a test e-mail backend that records each message in a file (and can be made to hang
mid-send) and a short send lease so the test need not wait 5 minutes for a dead worker's claim to lapse.
The database (``DATABASE_URL``, a temporary SQLite file), huey's storage (``VAR_DIR``/huey.sqlite3, or Redis with
``REDIS_URL``) and the file directory (``HUEY_CRASH_DIR``) come from the environment the test sets.
"""

from datetime import timedelta

from portal.settings.base import *  # noqa: F401,F403

EMAIL_BACKEND = "tests.e2e.test_huey_crash.BlockingFileEmailBackend"
NOTIFICATION_SEND_LEASE = timedelta(seconds=3)
