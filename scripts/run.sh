#!/usr/bin/env bash
# Runs rvlms on its bundled example data: installs what is missing, then
# `rvlms serve --demo`: the web app, REST API and CDS Hooks service on SQLite with the
# four zhang2021 cases and a synthetic cohort; it prints the address and a one-time login.
# Extra arguments go to `rvlms serve` unchanged (for example --port 8080).
#
# Usage: bash scripts/run.sh [serve arguments...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh
exec .venv/bin/rvlms serve --demo "$@"
