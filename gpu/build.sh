#!/usr/bin/env bash
# Builds the GPU bundle (gpu/README.md) here, for a machine with PyTorch 2.11.0 and no Rust:
#
#     gpu/build.sh            # -> gpu/bundle/, then: gpu/bundle/run.sh [PYTHON]
#
# 1. a scratch Python environment with PyTorch 2.11.0 (headers and libraries to build against;
#    $TORCHBOOK_TORCH211, default ~/.cache/torchbook/torch211; made with pip when missing);
# 2. every course notebook exported with `torchbook-kernel export` into gpu/nb/, depending on
#    the prelude's own sources built against tch 0.24 (gpu/tch024);
# 3. one release build of the workspace gpu/Cargo.toml and of the training-throughput
#    benchmark, linked dynamically to libtorch (the machine's own torch/lib is used there);
# 4. gpu/bundle/: the stripped binaries, the course data, run.sh and the Python side of the
#    benchmark, checked to stay under the device's 64 MiB.
set -euo pipefail
GPU="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$GPU")"
TORCH211="${TORCHBOOK_TORCH211:-$HOME/.cache/torchbook/torch211}"
KERNEL="${TORCHBOOK_KERNEL:-$ROOT/.venv/bin/torchbook-kernel}"
LIMIT_MIB=64

if ! "$TORCH211/bin/python" -c 'import torch, sys; sys.exit(torch.__version__.split("+")[0] != "2.11.0")' 2>/dev/null; then
    echo "== scratch environment with PyTorch 2.11.0 in $TORCH211"
    python3 -m venv "$TORCH211"
    "$TORCH211/bin/pip" install --quiet torch==2.11.0 numpy
fi
TORCH_LIB="$("$TORCH211/bin/python" -c 'import torch, pathlib; print(pathlib.Path(torch.__file__).parent / "lib")')"
[ -x "$KERNEL" ] || { echo "error: $KERNEL not found: run ./install.sh first (it builds torchbook-kernel)" >&2; exit 1; }

echo "== exporting the course notebooks into $GPU/nb"
rm -rf "$GPU/nb"
mkdir -p "$GPU/nb"
for nb in "$ROOT"/notebooks/[0-9]*.ipynb; do
    "$KERNEL" export "$nb" --crate "$GPU/nb/$(basename "$nb" .ipynb)" --prelude "$GPU/tch024" >/dev/null
done

echo "== building against $TORCH_LIB (tch 0.24)"
# torch-sys asks the `python` of the active virtual environment for PyTorch's paths and version.
# No other libtorch on the library path (the course's 2.13.0 would be loaded by that python).
export VIRTUAL_ENV="$TORCH211" PATH="$TORCH211/bin:$PATH" LIBTORCH_USE_PYTORCH=1
unset LIBTORCH LIBTORCH_INCLUDE LIBTORCH_LIB LD_LIBRARY_PATH
export CARGO_TARGET_DIR="${TORCHBOOK_GPU_TARGET:-$HOME/.cache/torchbook/gpu-target}"
cd "$GPU"
# Every notebook binary and the benchmark (target flags select: `--bins` keeps the notebooks).
cargo build --release --locked --workspace --bins --example train_throughput

echo "== assembling $GPU/bundle"
BUNDLE="$GPU/bundle"
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/bin" "$BUNDLE/bench"
for nb in "$GPU"/nb/*/; do
    name="nb_$(basename "$nb" | tr '[:upper:]' '[:lower:]')"
    cp "$CARGO_TARGET_DIR/release/$name" "$BUNDLE/bin/"
done
cp "$CARGO_TARGET_DIR/release/examples/train_throughput" "$BUNDLE/bin/"
cp -r "$ROOT/data" "$BUNDLE/data"
cp "$ROOT/bench/train_throughput.py" "$ROOT/bench/stats.py" "$BUNDLE/bench/"
cp "$GPU/run.sh" "$BUNDLE/run.sh"
{
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "against: PyTorch $("$TORCH211/bin/python" -c 'import torch; print(torch.__version__)') (tch 0.24)"
    (cd "$BUNDLE" && find . -type f | sort | xargs sha256sum)
} >"$BUNDLE/MANIFEST"
size_kib=$(du -sk "$BUNDLE" | cut -f1)
echo "bundle: $((size_kib / 1024)) MiB ($size_kib KiB) in $BUNDLE"
if [ "$size_kib" -ge $((LIMIT_MIB * 1024)) ]; then
    echo "error: the bundle is $size_kib KiB, over the device's $LIMIT_MIB MiB per call" >&2
    exit 1
fi
