#!/usr/bin/env bash
# Runs rvlms on its bundled example data: installs what is missing, then
# `rvlms demo`. Extra arguments go to `rvlms demo` unchanged.
#
# Usage: bash scripts/run.sh [demo arguments...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh
exec .venv/bin/rvlms demo "$@"
