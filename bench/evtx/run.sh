#!/bin/sh
# Benchmarks the EVTX parser against Debian's libevtx-utils (evtxexport, C) and python3-evtx
# (evtx_dump.py, Python) on the same sample files, then prints one table.
#
#   bench/evtx/run.sh [SAMPLES_DIR]      (default: ../shared/evtx next to the repository)
#
# Our side is timed twice: the Go benchmark (in-process, MB/s and records/s) and the CLI
# (`evtx dump --format xml`, whole process, output to /dev/null) so that all three tools are
# compared as commands doing the same job: every record of the file as XML.
set -eu
cd "$(dirname "$0")/../.."
samples=${1:-../shared/evtx}
files="security.evtx post-Security.evtx sysmon.evtx system.evtx"
[ -d "$samples" ] || { echo "samples folder $samples not found" >&2; exit 2; }

echo "== go test -bench (in-process)"
go test -count=1 -run '^$' -bench 'BenchmarkParse(XML|XMLOneCore)$' -benchtime 5x ./internal/labs/evtx/ | grep -E '^Benchmark'

bin=$(mktemp -d)/evtxcli
go build -o "$bin" ./bench/evtx/evtxcli

# seconds FILE CMD...: wall time of one run, best of 3 (hyperfine when present, else Python's clock).
seconds() {
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N -r 3 --export-json /tmp/evtx-hf.json "$*" >/dev/null 2>&1
		python3 -c 'import json;print("%.3f"%json.load(open("/tmp/evtx-hf.json"))["results"][0]["min"])'
		return
	fi
	# No hyperfine: time with Python's monotonic clock (/usr/bin/time is often absent).
	python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(3):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    d = time.perf_counter() - t
    best = d if best is None or d < best else best
print("%.3f" % best)
PY
}

echo
echo "== whole-command wall time, seconds (best of 3), every record as XML"
printf '%-24s %8s %10s %12s %14s\n' file MB ntatlas evtxexport evtx_dump.py
for f in $files; do
	p="$samples/$f"
	mb=$(python3 -c "import os;print('%.2f'%(os.path.getsize('$p')/1e6))")
	ours=$(seconds "$bin" dump --format xml "$p")
	lib=-; py=-
	command -v evtxexport >/dev/null 2>&1 && lib=$(seconds evtxexport -f xml "$p")
	command -v evtx_dump.py >/dev/null 2>&1 && py=$(seconds evtx_dump.py "$p")
	printf '%-24s %8s %10s %12s %14s\n' "$f" "$mb" "$ours" "$lib" "$py"
done
