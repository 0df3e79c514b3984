#!/usr/bin/env bash
# Installs everything rvlms needs on a Debian 12 machine: the system packages
# and the project's virtualenv in .venv.
#
# Safe to run again and again: apt is skipped when every package is already
# installed, and pip is skipped while pyproject.toml is unchanged since the
# last successful install. No browser or other binary is downloaded outside
# Debian's and PyPI's packages: the tests drive Debian's chromium.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DEBIAN_FRONTEND=noninteractive

# Usage: bash scripts/install.sh [--dev]
#   without --dev: what running rvlms needs (the app on SQLite, its PDFs and maps);
#   with --dev: also the test tools, PostgreSQL and chromium (scripts/test.sh).
DEV=0
if [ "${1:-}" = "--dev" ]; then
    DEV=1
fi

# graphviz: `dot` renders the decision map.
# fonts-dejavu-core, libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0: what WeasyPrint
#   loads on Debian 12 to lay out and subset fonts for the PDF reports.
APT_PACKAGES=(
    graphviz
    fonts-dejavu-core
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
)
# postgresql(-common): the registry's server, and pg_virtualenv/pg_ctlcluster for test clusters.
# chromium: the browser the UI tests drive through Playwright.
# poppler-utils: pdftoppm and pdftotext, to read and inspect the PDF reports in tests.
if [ "$DEV" -eq 1 ]; then
    APT_PACKAGES+=(postgresql postgresql-common chromium poppler-utils)
fi

PYTHON="${PYTHON:-python3}"
FLOWER="flwr==1.42.0"
VENV=".venv"
STAMP="$VENV/.rvlms-install-stamp"

log() { printf '[install] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo --preserve-env=DEBIAN_FRONTEND "$@"
    else
        echo "[install] need root (or sudo) for: $*" >&2
        return 1
    fi
}

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

install_apt_packages() {
    local wanted=("${APT_PACKAGES[@]}")
    # Debian's own python3 creates a venv only with python3-venv (it ships ensurepip's wheels).
    if dpkg-query -S "$(readlink -f "$(command -v "$PYTHON")")" >/dev/null 2>&1; then
        wanted+=(python3-venv)
    fi

    local missing=()
    local pkg
    for pkg in "${wanted[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "system packages: all present"
        return 0
    fi

    log "system packages missing: ${missing[*]}"
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends -o Acquire::Retries=3 "${missing[@]}"
}

check_python() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "[install] $PYTHON is $("$PYTHON" --version 2>&1); rvlms needs Python >= 3.11" >&2
        exit 1
    fi
}

install_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating $VENV with $("$PYTHON" --version 2>&1)"
        "$PYTHON" -m venv "$VENV"
    fi

    local base want extras
    extras=$([ "$DEV" -eq 1 ] && echo "[dev]" || echo "")
    base="$(sha256sum pyproject.toml | cut -d' ' -f1) $FLOWER $("$VENV/bin/python" -V 2>&1)"
    want="$base $extras"
    # A development install also serves a plain run.
    if [ -f "$STAMP" ] && { [ "$(cat "$STAMP")" = "$want" ] || [ "$(cat "$STAMP")" = "$base [dev]" ]; } \
        && "$VENV/bin/python" -c 'import rvlms' >/dev/null 2>&1; then
        log "python packages: up to date"
        return 0
    fi

    log "installing rvlms and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".$extras"
    # Flower pins exact minor versions of the web stack; its run-time needs are in
    # pyproject.toml, so it goes in on its own, without letting it downgrade them.
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$FLOWER"
    printf '%s' "$want" >"$STAMP"
}

start=$SECONDS
check_python
install_apt_packages
install_venv
log "done in $((SECONDS - start))s"
