#!/usr/bin/env bash
# Idempotent set-up shared by ./run.sh and ./test.sh: system libraries (when root),
# a cached virtual environment, and the project installed into it in editable mode.
# A second run finds the stamp matching and returns in seconds.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${EARMARK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/earmark-env/venv}"
python="${EARMARK_PYTHON:-$(command -v python3.11 || command -v python3)}"

apt_packages=(libportaudio2 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
              libxkbcommon-x11-0 libxcb-cursor0 libegl1 libgl1 libfontconfig1 libdbus-1-3 xvfb)

install_system_libraries() {
    local missing=()
    for p in "${apt_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ]; then
        echo "earmark: please install these system packages: ${missing[*]}" >&2
        return
    fi
    echo "earmark: installing system packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

stamp_of_sources() {
    cat "$repo/pyproject.toml" "$repo/constraints.txt" "$repo/scripts/setup.sh" | sha256sum | cut -c1-16
}

install_python_environment() {
    local stamp="$venv/.earmark-stamp" want
    want="$(stamp_of_sources)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ] \
       && "$venv/bin/python" -c "import engine" 2>/dev/null; then
        return
    fi
    echo "earmark: preparing the Python environment in $venv (first run downloads PyTorch, a few minutes)"
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    # constraints.txt pins every package to the versions the tests last passed with
    local pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check -c "$repo/constraints.txt")
    # torch first, alone: resolving it together with torchaudio picks mismatched builds.
    "${pip[@]}" "torch==2.9.1"
    "${pip[@]}" "torch==2.9.1" "torchaudio==2.9.*"
    "${pip[@]}" -e "$repo[test]"
    # aisfx pins numpy 1.23/librosa 0.9 but runs on numpy 2: its weights are a teacher, not a runtime need.
    "${pip[@]}" --no-deps "aisfx==0.1.2"
    echo "$want" > "$stamp"
}

install_system_libraries
install_python_environment
export EARMARK_VENV="$venv"
