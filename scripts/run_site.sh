#!/usr/bin/env bash
# Starts the huey consumer and the web server together; Ctrl+C stops both.
set -euo pipefail
HOST=${1:-127.0.0.1}; PORT=${2:-8000}
PY=.venv/bin/python
$PY manage.py run_huey --workers 2 >var/huey.log 2>&1 &
HUEY_PID=$!
trap 'kill $HUEY_PID 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  Public site     http://$HOST:$PORT/
  Admin (Wagtail) http://$HOST:$PORT/admin/
  API docs        http://$HOST:$PORT/api/docs/
  OpenAPI schema  http://$HOST:$PORT/api/schema/
  Background jobs huey consumer (pid $HUEY_PID), log in var/huey.log

MSG
$PY manage.py runserver "$HOST:$PORT"
