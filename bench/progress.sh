#!/bin/sh
# Issue #8's load bench: 200 concurrent learners write statuses for 60 s against a real
# `ntatlas serve`, once over SQLite and once over a throwaway PostgreSQL cluster.
# Usage: bench/progress.sh [learners] [seconds]
set -e
cd "$(dirname "$0")/.."
NTATLAS_LOAD=1 NTATLAS_LOAD_LEARNERS="${1:-200}" NTATLAS_LOAD_SECONDS="${2:-60}" \
	go test ./cmd/ntatlas -run TestLoadProgress -count=1 -v -timeout 20m 2>&1 | grep -E "learners|PASS|FAIL|ok|failed"
