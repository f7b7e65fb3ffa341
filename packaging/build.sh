#!/usr/bin/env bash
# Builds the desktop bundle with PyInstaller into dist/earmark/ (Linux: plus a .desktop entry).
# Usage: packaging/build.sh            -> dist/earmark/earmark
#        packaging/build.sh --install  -> also installs the .desktop file and icon for this user
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/setup.sh"
python="$EARMARK_VENV/bin/python"
# Pinned with its hooks (this pair freezes and runs a PySide6 6.11 window on Python 3.11): an
# unpinned PyInstaller would change the bundle from one build to the next.
"$python" -m pip install -q --disable-pip-version-check "pyinstaller==6.22.3" "pyinstaller-hooks-contrib==2026.10"
cd "$repo"
"$python" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/earmark.spec

if [ "$(uname -s)" = "Linux" ]; then
    cp packaging/linux/earmark.desktop packaging/linux/earmark.png packaging/linux/earmark.svg dist/earmark/
    if [ "${1:-}" = "--install" ]; then
        apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
        icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
        mkdir -p "$apps" "$icons/scalable/apps" "$icons/256x256/apps"
        sed "s|^Exec=earmark|Exec=$repo/dist/earmark/earmark|" packaging/linux/earmark.desktop > "$apps/earmark.desktop"
        cp packaging/linux/earmark.svg "$icons/scalable/apps/earmark.svg"
        cp packaging/linux/earmark.png "$icons/256x256/apps/earmark.png"
        echo "installed $apps/earmark.desktop"
    fi
fi
echo "built $repo/dist/earmark/"
