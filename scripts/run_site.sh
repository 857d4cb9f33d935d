#!/usr/bin/env bash
# Starts the huey consumer and the web server together; Ctrl+C stops both.
set -euo pipefail
HOST=${1:-127.0.0.1}; PORT=${2:-8000}
PY=.venv/bin/python
# Links in receipts, QR codes, e-mails and SMS lead to where this server listens, unless BASE_URL says otherwise.
LINK_HOST=$HOST; [ "$LINK_HOST" = "0.0.0.0" ] && LINK_HOST=$(hostname -I 2>/dev/null | awk '{print $1}')
export BASE_URL=${BASE_URL:-http://${LINK_HOST:-127.0.0.1}:$PORT}
$PY manage.py run_huey --workers 2 >var/huey.log 2>&1 &
HUEY_PID=$!
trap 'kill $HUEY_PID 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  Public site     http://$HOST:$PORT/
  Admin (Wagtail) http://$HOST:$PORT/admin/
  API docs        http://$HOST:$PORT/api/docs/
  OpenAPI schema  http://$HOST:$PORT/api/schema/
  Links built on  $BASE_URL (BASE_URL)
  Background jobs huey consumer (pid $HUEY_PID), log in var/huey.log

MSG
$PY manage.py runserver "$HOST:$PORT"
