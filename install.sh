#!/usr/bin/env bash
# Sets up Torchbook on this machine; safe to run again (it only redoes what changed).
#
#   ./install.sh          set up: .venv with Jupyter and torch 2.13.0, the kernel and the
#                         prelude built in release mode, the kernel's build template warmed,
#                         the kernelspec "Rust (Torchbook)" registered inside .venv
#   ./install.sh --open   the same, then open JupyterLab on notebooks/
#
# Environment:
#   TORCHBOOK_CACHE   where builds are kept between runs (default ~/.cache/torchbook):
#                     cargo's target directory and, per checkout, the kernels' store
#                     (template, kernel directories) under stores/
#   PYTHON            the Python to make .venv with (default python3; 3.10 or newer)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
OPEN=0
for arg in "$@"; do
  case "$arg" in
    --open) OPEN=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

CACHE=${TORCHBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/torchbook}
# One store per checkout: its template is built from this checkout's prelude, so two clones
# (a working tree and a CI clone) never rebuild each other's.
STORE="$CACHE/stores/$(basename "$ROOT")-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$CACHE/target}
PYTHON=${PYTHON:-python3}
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# --- prerequisites ------------------------------------------------------------------------
missing=()
command -v cargo >/dev/null || missing+=("cargo (install Rust with rustup: https://rustup.rs)")
command -v rustc >/dev/null || missing+=("rustc (install Rust with rustup: https://rustup.rs)")
command -v cc >/dev/null || missing+=("a C compiler 'cc' (Debian: apt-get install build-essential)")
if command -v "$PYTHON" >/dev/null; then
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    missing+=("python3 >= 3.10 (found $("$PYTHON" --version 2>&1))")
  elif ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    missing+=("Python's venv module (Debian: apt-get install python3-venv)")
  fi
else
  missing+=("python3 >= 3.10")
fi
mkdir -p "$CACHE"
need_gb() { # directory, GiB wanted, what for
  local avail
  avail=$(df -Pk "$1" | awk 'NR==2 {print int($4 / 1048576)}')
  if [ "$avail" -lt "$2" ]; then
    missing+=("$2 GiB free in $1 for $3 (only $avail GiB free)")
  fi
}
if [ ! -x "$VENV/bin/python" ]; then need_gb "$ROOT" 6 "the Python environment (5 GB with torch)"; fi
if [ ! -d "$CARGO_TARGET_DIR/release" ]; then need_gb "$CACHE" 3 "the Rust builds (about 2 GB)"; fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install.sh: missing prerequisites:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi

# --- Python environment -------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
REQ_STAMP="$VENV/.torchbook-requirements"
if ! cmp -s requirements.txt "$REQ_STAMP"; then
  say "installing Python packages (torch 2.13.0 is large; the first time takes minutes)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r requirements.txt
  cp requirements.txt "$REQ_STAMP"
fi
TORCH_LIB=$("$VENV/bin/python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null) \
  || die "torch does not import from $VENV; remove $REQ_STAMP and run again"
TORCH_VERSION=$("$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])')
[ "$TORCH_VERSION" = "2.13.0" ] || die "tch 0.26 needs torch 2.13.0 but $VENV has $TORCH_VERSION"

# --- Rust build ---------------------------------------------------------------------------
export LIBTORCH_USE_PYTORCH=1
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"
export LD_LIBRARY_PATH="$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
say "building the workspace in release mode (target: $CARGO_TARGET_DIR)"
cargo build --release --workspace --locked
# torch-sys compiles libtorch's C++ wrapper into libtch.a; kernels link that one copy.
LIBTCH=$(cargo build --release --workspace --locked --message-format=json 2>/dev/null \
  | "$VENV/bin/python" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "build-script-executed" and "torch-sys" in m.get("package_id", ""):
        print(m["out_dir"] + "/libtch.a")
')
[ -f "$LIBTCH" ] || die "could not find libtch.a from torch-sys's build (looked for '$LIBTCH')"
install -m 755 "$CARGO_TARGET_DIR/release/torchbook-kernel" "$VENV/bin/torchbook-kernel"

# --- kernelspec ---------------------------------------------------------------------------
CARGO_BIN=$(dirname "$(command -v cargo)")
KERNEL_ENV=(
  --env "TORCHBOOK_STORE=$STORE"
  --env "TORCHBOOK_PRELUDE=$ROOT/prelude"
  --env "LIBTORCH_USE_PYTORCH=1"
  --env "LD_LIBRARY_PATH=$TORCH_LIB"
  --env "PATH=$VENV/bin:$CARGO_BIN:/usr/local/bin:/usr/bin:/bin"
)
[ -n "${RUSTUP_HOME:-}" ] && KERNEL_ENV+=(--env "RUSTUP_HOME=$RUSTUP_HOME")
[ -n "${CARGO_HOME:-}" ] && KERNEL_ENV+=(--env "CARGO_HOME=$CARGO_HOME")
say "registering the kernelspec 'torchbook' in $VENV"
"$VENV/bin/torchbook-kernel" install --prefix "$VENV" "${KERNEL_ENV[@]}"

# papermill has no Rust translator and no entry point for one: install ours into the venv (any
# other Python that runs papermill: `python kernel/python/torchbook_papermill.py install`).
"$VENV/bin/python" "$ROOT/kernel/python/torchbook_papermill.py" install >/dev/null

# --- warm the kernels' build template -----------------------------------------------------
say "building the prelude for notebooks (store: $STORE)"
# Private whatever the umask: a standby kernel runs the code of whoever can reach the store.
(umask 077 && mkdir -p "$STORE")
chmod 700 "$STORE"
printf '%s\n' "$ROOT" > "$STORE/checkout"
# Stores of checkouts that no longer exist only take space.
for other in "$CACHE"/stores/*/; do
  owner=$(cat "$other/checkout" 2>/dev/null || true)
  if [ -n "$owner" ] && [ ! -d "$owner/prelude" ]; then rm -rf "$other"; fi
done
TORCHBOOK_STORE="$STORE" TORCHBOOK_PRELUDE="$ROOT/prelude" \
  "$VENV/bin/torchbook-kernel" warm --libtch "$LIBTCH" --torch-lib "$TORCH_LIB"

"$VENV/bin/jupyter" kernelspec list | grep -q '^ *torchbook ' || die "kernelspec 'torchbook' is not listed"
# The course's notebooks ship with their outputs (charts as SVG, tables as HTML); Jupyter shows
# rich output of untrusted notebooks as text until they are re-run. These are ours: trust them.
"$VENV/bin/jupyter" trust "$ROOT"/notebooks/*.ipynb >/dev/null
# Standby kernels started by the previous build would serve nobody (they are keyed to the binary
# and the template); stop them. Kernels refill the pool as they start.
TORCHBOOK_STORE="$STORE" TORCHBOOK_PRELUDE="$ROOT/prelude" "$VENV/bin/torchbook-kernel" standby --stop
say "Torchbook is ready: kernel 'Rust (Torchbook)'"
if [ "$OPEN" = 1 ]; then
  LAB_ARGS=(--notebook-dir="$ROOT/notebooks")
  # Jupyter refuses to run as root unless told; containers and CI machines often are root.
  [ "$(id -u)" = 0 ] && LAB_ARGS+=(--allow-root)
  # Start the standby kernels now, in the environment Jupyter gives kernels, so the first
  # notebook opened gets one.
  SPEC_ENV=()
  for ((i = 1; i < ${#KERNEL_ENV[@]}; i += 2)); do SPEC_ENV+=("${KERNEL_ENV[$i]}"); done
  env "${SPEC_ENV[@]}" "$VENV/bin/torchbook-kernel" standby --spawn
  exec "$VENV/bin/jupyter" lab "${LAB_ARGS[@]}"
fi
echo "Open the notebooks with: .venv/bin/jupyter lab notebooks/"
