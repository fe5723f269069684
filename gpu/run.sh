#!/usr/bin/env bash
# Runs the GPU bundle (built by gpu/build.sh) on a machine with PyTorch 2.11.0 and no Rust:
#
#     bundle/run.sh [PYTHON]      # PYTHON: default /opt/torch/.venv/bin/python
#
# Every exported course notebook runs with its own assertions, on CUDA when that PyTorch sees a
# GPU (the notebooks pick it), then the training-throughput benchmark of the course's models
# against PyTorch eager on the same device. Results go to $OUT (default ./out): one folder per
# notebook (stdout, stderr, outputs/), results.tsv, throughput.txt, and a closing line
# `N passed, N failed`.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${1:-/opt/torch/.venv/bin/python}"
OUT="${OUT:-$HERE/out}"
mkdir -p "$OUT"
TORCH_LIB="$("$PYTHON" -c 'import torch, pathlib; print(pathlib.Path(torch.__file__).parent / "lib")')" || {
    echo "error: $PYTHON cannot import torch" >&2
    exit 2
}
DEVICE="$("$PYTHON" -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')"
export LD_LIBRARY_PATH="$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export TORCHBOOK_DATA="$HERE/data"
{
    echo "python: $PYTHON"
    "$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    echo "device: $DEVICE, cores: $(nproc)"
} | tee "$OUT/machine.txt"

passed=0
failed=0
printf 'notebook\tstatus\tseconds\n' >"$OUT/results.tsv"
for bin in "$HERE"/bin/nb_*; do
    name="$(basename "$bin")"
    work="$OUT/$name"
    mkdir -p "$work"
    started=$EPOCHREALTIME
    (cd "$work" && timeout 600 "$bin" >stdout.txt 2>stderr.txt)
    rc=$?
    seconds=$(awk "BEGIN { print $EPOCHREALTIME - $started }")
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        status=passed
    else
        failed=$((failed + 1))
        status="failed (exit $rc)"
        tail -n 20 "$work/stderr.txt"
    fi
    printf '%s\t%s\t%.1f\n' "$name" "$status" "$seconds" | tee -a "$OUT/results.tsv"
done

# The benchmark: each model's training steps per second, Rust (the prelude's and libtorch's
# Adam) against PyTorch eager, same device, batch sizes and thread count.
THREADS="${TORCHBOOK_BENCH_THREADS:-$(nproc)}"
if "$PYTHON" "$HERE/bench/train_throughput.py" --binary "$HERE/bin/train_throughput" --device "$DEVICE" \
    --threads "$THREADS" --rounds "${TORCHBOOK_BENCH_ROUNDS:-3}" --steps "${TORCHBOOK_BENCH_STEPS:-300}" \
    >"$OUT/throughput.txt" 2>"$OUT/throughput.err"; then
    passed=$((passed + 1))
    cat "$OUT/throughput.txt"
else
    failed=$((failed + 1))
    echo "train_throughput failed:"
    tail -n 20 "$OUT/throughput.err"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
