#!/usr/bin/env bash
# Sets Earmark up (once) and runs the whole test suite. Extra arguments go to pytest.
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"
source "$repo/scripts/setup.sh"
cd "$repo"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec "$EARMARK_VENV/bin/python" -m pytest "$@"
