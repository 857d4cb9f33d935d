#!/usr/bin/env bash
# Compares the OpenAPI schema generated from the code (drf-spectacular, validated, warnings are errors) with the
# committed docs/openapi.yaml. Run by `make check` (CI) and pre-commit; `make openapi` regenerates the file.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
generated=$(mktemp /tmp/tthc-openapi.XXXXXX.yaml)
trap 'rm -f "$generated"' EXIT
"$PY" manage.py spectacular --validate --fail-on-warn --file "$generated"
if ! diff -u --label docs/openapi.yaml --label "generated from the code" docs/openapi.yaml "$generated"; then
  echo >&2
  echo "the API schema changed: run \`make openapi\` and commit docs/openapi.yaml" >&2
  exit 1
fi
echo "OpenAPI schema: docs/openapi.yaml is up to date"
