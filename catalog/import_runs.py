"""Confirmed catalog imports run in the background (issue: 1,000 procedures outlasted the 60 s web timeout).

The admin's dry run stays in the request (it only validates). Confirming creates an :class:`ImportRun` (who,
when, file name and SHA-256, status, counts, errors) and queues the huey task ``catalog.tasks.catalog_import_run``,
which calls :func:`import_run_execute`: the same ``catalog_import`` as the dry run, all or nothing. The outcome is
written to the run in the import's own transaction, so "imported" and the data commit together.

While it runs, the rows done are published in huey's key-value store (the huey SQLite file or Redis), which the
web process reads too; the import's transaction holds the database's write lock on SQLite, so the progress cannot
be a row of the catalog database. :func:`import_run_progress` is what the status page and its JSON show.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.storage import InvalidStorageError, default_storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ImportRun, ImportRunStatus
from catalog.services import catalog_import

logger = logging.getLogger(__name__)

#: How many errors a refused run keeps (the preview lists them all).
MAX_STORED_ERRORS = 500


def upload_storage():
    """Uploaded spreadsheets are not public: use the private storage when there is one."""
    try:
        return storages["private"]
    except InvalidStorageError:
        return default_storage


def _progress_key(run_id):
    return f"catalog-import-progress:{run_id}"


def _huey():
    from huey.contrib.djhuey import HUEY

    return HUEY


def import_run_start(*, user, model_key: str, file_path: str, file_format: str, filename: str) -> ImportRun:
    """Record a confirmed import of the stored upload ``file_path`` and queue it; the job deletes the file."""
    from catalog.tasks import catalog_import_run

    with upload_storage().open(file_path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    run = ImportRun.objects.create(
        model_key=model_key,
        filename=filename[:255],
        file_sha256=digest,
        file_path=file_path,
        file_format=file_format,
        user=user,
    )
    transaction.on_commit(lambda: catalog_import_run(run.pk))
    return run


def import_run_execute(*, run_id: int) -> ImportRun | None:
    """Run a queued import once (a second delivery of the task does nothing)."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRunStatus.QUEUED).update(
        status=ImportRunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    huey = _huey()
    try:
        with upload_storage().open(run.file_path, "rb") as handle:
            data = handle.read()
    except OSError:
        missing = _("The uploaded file is no longer available.")
        return _finish(run, ImportRunStatus.FAILED, errors=[_error(None, missing)])

    def progress(done, total):
        huey.put(_progress_key(run.pk), (done, total))

    def record(result):
        _fill(run, result)
        run.status = ImportRunStatus.DONE
        run.finished_at = timezone.now()
        run.save()

    try:
        result = catalog_import(
            model_key=run.model_key,
            file_bytes=data,
            file_format=run.file_format,
            dry_run=False,
            user=run.user,
            progress=progress,
            on_success=record,
        )
    except Exception:
        logger.exception("catalog import run %s failed", run.pk)
        run = _finish(run, ImportRunStatus.FAILED, errors=[_error(None, _("Unexpected error; nothing was imported."))])
    else:
        if not result.committed:
            _fill(run, result)
            run = _finish(
                run,
                ImportRunStatus.REFUSED,
                errors=[_error(e.row, e.message, e.column) for e in result.errors[:MAX_STORED_ERRORS]],
            )
    finally:
        huey.delete(_progress_key(run.pk))
    try:
        upload_storage().delete(run.file_path)
    except OSError:
        pass
    return run


def _error(row, message, column=""):
    return {"row": row, "column": column, "message": str(message)}


def _fill(run, result):
    run.total_rows = len(result.rows)
    run.new_count = result.new_count
    run.update_count = result.update_count
    run.unchanged_count = result.unchanged_count
    run.error_count = result.error_count


def _finish(run, status, errors):
    run.status = status
    run.errors = errors
    run.finished_at = timezone.now()
    run.save()
    return run


def import_run_progress(run: ImportRun) -> dict:
    """What the status page shows: status, rows done of total, and the counts once finished."""
    done, total = run.total_rows, run.total_rows
    if run.status == ImportRunStatus.RUNNING:
        done, total = _huey().get(_progress_key(run.pk), peek=True) or (0, 0)
    elif not run.is_finished:
        done = total = 0
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "finished": run.is_finished,
        "rows_done": done,
        "rows_total": total,
        "counts": {
            "new": run.new_count,
            "update": run.update_count,
            "unchanged": run.unchanged_count,
            "errors": run.error_count,
        },
    }
