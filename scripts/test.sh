#!/usr/bin/env bash
# Runs every check of rvlms on a Debian 12 machine: installs what is missing,
# then ruff, mypy (strict) and the whole pytest suite against a real,
# throwaway PostgreSQL server and Debian's chromium.
#
# Usage: bash scripts/test.sh [pytest arguments...]
#
# The PostgreSQL cluster comes from pg_virtualenv (postgresql-common): it lives
# in a temporary directory on a free port and is dropped when pytest ends.
# Set RVLMS_TEST_PG_URL yourself to test against a server of your own instead.
# Screenshots, the JUnit report and other files land in artifacts/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
start=$SECONDS

bash scripts/install.sh --dev

mkdir -p artifacts
JUNIT="$ROOT/artifacts/junit.xml"
rm -f "$JUNIT"

export RVLMS_TEST_CHROMIUM="${RVLMS_TEST_CHROMIUM:-/usr/bin/chromium}"
export PYTHONDONTWRITEBYTECODE=1

section() { printf '\n== %s\n' "$*"; }

section "ruff check"
ruff_rc=0
.venv/bin/ruff check || ruff_rc=$?

section "mypy (strict)"
mypy_rc=0
.venv/bin/mypy || mypy_rc=$?

section "pytest"
pytest_cmd=(.venv/bin/pytest --junitxml="$JUNIT" "$@")
pytest_rc=0
if [ -n "${RVLMS_TEST_PG_URL:-}" ]; then
    echo "using the PostgreSQL server of RVLMS_TEST_PG_URL"
    "${pytest_cmd[@]}" || pytest_rc=$?
else
    # pg_virtualenv exports PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE for its
    # throwaway cluster; -t keeps the cluster in a temporary directory even as root.
    # shellcheck disable=SC2016
    pg_virtualenv -t bash -c '
        export RVLMS_TEST_PG_URL="postgresql+psycopg://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"
        exec "$@"
    ' pytest-under-postgres "${pytest_cmd[@]}" || pytest_rc=$?
fi

counts="0 passed, 0 failed, 0 skipped"
if [ -f "$JUNIT" ]; then
    counts="$(.venv/bin/python - "$JUNIT" <<'EOF'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
total = failed = skipped = 0
for suite in suites:
    total += int(suite.get("tests", 0))
    failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped += int(suite.get("skipped", 0))
print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped")
EOF
)"
fi

# The federated-analysis benchmark runs after a full suite, when nothing else runs: it
# must run to the end; its ratios are reported here and judged by people, not by CI,
# since timings on a shared machine vary from run to run.
bench_rc=0
if [ "$#" -eq 0 ]; then
    section "benchmark: federated analysis (bench/run.py network)"
    .venv/bin/python bench/run.py --report network || bench_rc=$?
fi

status=ok
if [ "$pytest_rc" -eq 5 ]; then
    echo "pytest collected no tests: treated as a failure"
    pytest_rc=1
fi
if [ "$ruff_rc" -ne 0 ] || [ "$mypy_rc" -ne 0 ] || [ "$pytest_rc" -ne 0 ] || [ "$bench_rc" -ne 0 ]; then
    status=FAILED
fi

section "summary"
echo "ruff rc=$ruff_rc, mypy rc=$mypy_rc, pytest rc=$pytest_rc, benchmark rc=$bench_rc, $((SECONDS - start))s in all: $status"
echo "tests: $counts"

[ "$status" = ok ]
