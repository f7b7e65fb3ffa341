#!/usr/bin/env bash
# Start Earmark under Xvfb on a library (a synthetic demo one unless given), run a query and save a
# screenshot.
# Usage: scripts/screenshot.sh [out.png] [query] [screenshot.py options, e.g. --library DIR --home DIR,
#        --similar FILE to show the sounds like FILE instead of the query's results]
#        (default: build/screenshot.png, "wooden door creak, slow")
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/setup.sh"
out="$(realpath -m "${1:-$repo/build/screenshot.png}")"
query="${2:-wooden door creak, slow}"
shift $(( $# < 2 ? $# : 2 ))
command -v xvfb-run >/dev/null || { echo "screenshot: needs xvfb-run (apt-get install xvfb)" >&2; exit 1; }
# A null ALSA device so PortAudio opens without a sound card.
xdg="$(mktemp -d)"
trap 'rm -rf "$xdg"' EXIT
mkdir -p "$xdg/alsa" && echo 'pcm.!default { type null }' > "$xdg/alsa/asoundrc"
cd "$repo"
XDG_CONFIG_HOME="$xdg" QT_QPA_PLATFORM=xcb HF_HUB_OFFLINE=1 \
    xvfb-run -a -s "-screen 0 1920x1080x24" \
    "$EARMARK_VENV/bin/python" "$repo/scripts/screenshot.py" --out "$out" --query "$query" "$@"
