#!/usr/bin/env bash
# Checks the system packages the project relies on; installs them with apt when
# we are root and they are missing, otherwise says exactly what to install.
set -euo pipefail
if [ "${1:-}" = "--browser" ]; then
  # Optional: Debian's Chromium for the real-browser journey (tests/e2e/test_browser_journey.py). Test tools never
  # download browsers; when Chromium cannot be installed the test is skipped with a message, so never fail here.
  if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system package: chromium (browser journey test)"
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); then exit 0; fi
  fi
  echo "Chromium is not installed and could not be installed (sudo apt-get install chromium):" \
       "the browser journey test will be skipped." >&2
  exit 0
fi
missing=()
command -v python3.11 >/dev/null 2>&1 || missing+=("python3.11 (Python 3.11 with venv)")
command -v msgfmt >/dev/null 2>&1 || missing+=("gettext")
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=("libpango-1.0-0 libpangoft2-1.0-0 (WeasyPrint PDF rendering)")
fc-list 2>/dev/null | grep -qi dejavu || missing+=("fonts-dejavu-core (Vietnamese glyphs in PDFs)")
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  pkgs=()
  for m in "${missing[@]}"; do
    case "$m" in
      gettext) pkgs+=(gettext) ;;
      libpango*) pkgs+=(libpango-1.0-0 libpangoft2-1.0-0) ;;
      fonts-dejavu*) pkgs+=(fonts-dejavu-core) ;;
      *) echo "Missing: $m — install it and retry." >&2; exit 1 ;;
    esac
  done
  echo "Installing system packages: ${pkgs[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages:" >&2
for m in "${missing[@]}"; do echo "  - $m" >&2; done
echo "On Debian/Ubuntu: sudo apt-get install gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2
exit 1
