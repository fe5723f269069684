#!/usr/bin/env bash
# The whole benchmark suite, as recorded in bench/RESULTS.md (run by hand; not part of CI):
#   bash bench/run.sh 2>&1 | tee /tmp/bench.txt
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
./install.sh
bash bench/setup_peers.sh
PY=.venv/bin/python
echo "== machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F)"
echo "== 1, 2, 5: start-up, per-cell latency, memory against evcxr_jupyter 0.22 and ipykernel"
$PY bench/peers.py --starts 5 --repeats 5
echo "== 3: training throughput against PyTorch eager (CPU)"
$PY bench/train_throughput.py --rounds 3 --steps 300 --threads "$(nproc)"
echo "== 4: the notebook suite"
$PY bench/notebooks.py
