#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the end-to-end browser tests.
# Exits 0 when /usr/bin/chromium is already there; otherwise installs it quietly with
# apt-get (as root in CI; through sudo when not root and sudo is available).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "ensure_browser: $CHROMIUM present, nothing to do"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  echo "ensure_browser: $CHROMIUM missing and not root (no sudo): install chromium yourself" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_browser: $CHROMIUM missing and apt-get not found: install chromium yourself" >&2
  exit 1
fi

echo "ensure_browser: $CHROMIUM missing; installing Debian's chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${SUDO[@]}" apt-get update -qq && \
       "${SUDO[@]}" apt-get install -y -qq chromium fonts-noto-cjk; } >"$log" 2>&1; then
  echo "ensure_browser: apt-get failed; its output:" >&2
  cat "$log" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure_browser: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure_browser: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
