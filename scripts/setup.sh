#!/usr/bin/env bash
# Idempotent set-up shared by ./run.sh and ./test.sh: system libraries and the tools the
# tests need (when root), a cached virtual environment, and this checkout installed into
# it in editable mode. A second run finds the stamp matching and returns in seconds. The
# stamp names the checkout: another clone sharing the environment re-points the editable
# install to itself (seconds, no downloads), so no clone ever runs another one's code.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
venv="${EARMARK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/earmark-env/venv}"
python="${EARMARK_PYTHON:-$(command -v python3.11 || command -v python3)}"

apt_packages=(python3-venv libportaudio2 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
              libxkbcommon-x11-0 libxcb-cursor0 libegl1 libgl1 libfontconfig1 libdbus-1-3 xvfb)

# What the tests (and the builtin model's recipe) render sounds with: speech, and the
# General MIDI instruments; and the Java runtime the caption metrics' METEOR and PTB tokenizer
# (pycocoevalcap's jars) run on. Installed without their recommends (fluidsynth's is a Qt GUI).
tool_packages=(espeak-ng fluidsynth fluid-soundfont-gm default-jre-headless)

missing_packages() {
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

install_system_libraries() {
    local libraries tools
    mapfile -t libraries < <(missing_packages "${apt_packages[@]}")
    mapfile -t tools < <(missing_packages "${tool_packages[@]}")
    [ ${#libraries[@]} -eq 0 ] && [ ${#tools[@]} -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ]; then
        echo "earmark: please install these system packages: ${libraries[*]} ${tools[*]}" >&2
        return
    fi
    echo "earmark: installing system packages: ${libraries[*]} ${tools[*]}"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq)
    apt-get update -qq
    [ ${#libraries[@]} -eq 0 ] || "${apt[@]}" "${libraries[@]}" >/dev/null
    [ ${#tools[@]} -eq 0 ] || "${apt[@]}" --no-install-recommends "${tools[@]}" >/dev/null
}

stamp_of_sources() {
    cat "$repo/pyproject.toml" "$repo/constraints.txt" "$repo/scripts/setup.sh" | sha256sum | cut -c1-16
}

# The checkout the environment's `engine` package comes from (-I: not the current folder).
installed_checkout() {
    (cd / && "$venv/bin/python" -I -c \
        "import engine, os; print(os.path.dirname(os.path.dirname(os.path.realpath(engine.__file__))))") 2>/dev/null
}

install_python_environment() {
    local stamp="$venv/.earmark-stamp" want sources
    sources="$(stamp_of_sources)"
    want="$sources $repo"
    if [ -x "$venv/bin/python" ] && [ "$(installed_checkout)" = "$repo" ]; then
        [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return
    elif [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cut -d' ' -f1 "$stamp")" = "$sources" ]; then
        # the same dependencies, installed for another clone: point the editable install here
        echo "earmark: pointing the environment in $venv at $repo"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$repo"
        if [ "$(installed_checkout)" = "$repo" ]; then
            echo "$want" > "$stamp"
            return
        fi
    fi
    echo "earmark: preparing the Python environment in $venv (first run downloads PyTorch, a few minutes)"
    if [ ! -x "$venv/bin/python" ]; then
        # before any download: pip refuses another Python only after fetching PyTorch
        "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
            echo "earmark: needs Python 3.11, found $("$python" --version 2>&1) ($python); set EARMARK_PYTHON" >&2
            return 1
        }
        "$python" -m venv "$venv"
    fi
    # constraints.txt pins every package to the versions the tests last passed with
    local pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check -c "$repo/constraints.txt")
    # torch first, alone: resolving it together with torchaudio picks mismatched builds.
    "${pip[@]}" "torch==2.9.1"
    "${pip[@]}" "torch==2.9.1" "torchaudio==2.9.*"
    "${pip[@]}" -e "$repo[test]"
    # aisfx (the builtin model's UCS bridge hears through its CNN) pins numpy 1.23/librosa 0.9 but
    # runs on numpy 2 without librosa here: its weights and network definition are all we use. So
    # it is not in pyproject.toml (a resolver would have to honour those pins) and comes without deps.
    "${pip[@]}" --no-deps "aisfx==0.1.2"
    echo "$want" > "$stamp"
}

install_system_libraries
install_python_environment
export EARMARK_VENV="$venv"
