#!/usr/bin/env bash
# Sets Earmark up (once) and opens the app. Extra arguments go to the app.
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"
source "$repo/scripts/setup.sh"
exec "$EARMARK_VENV/bin/python" -m app.main "$@"
