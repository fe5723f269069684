#!/usr/bin/env bash
# Runs every Torchbook test: formatting, lints, Rust unit and doc tests, the kernel protocol and
# conformance tests, hostile-message tests, and every notebook executed by nbconvert.
# It first runs ./install.sh (quick when nothing changed), so it works on a fresh clone.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

./install.sh

# The browser test drives JupyterLab in Debian's Chromium (never a downloaded browser).
if ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Debian's chromium and chromium-driver for tests/test_browser.py"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null
  else
    echo "==> tests/test_browser.py needs: sudo apt-get install chromium chromium-driver" >&2
  fi
fi

CACHE=${TORCHBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/torchbook}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$CACHE/target}
TORCH_LIB=$(.venv/bin/python -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
export LIBTORCH_USE_PYTORCH=1 VIRTUAL_ENV="$ROOT/.venv" PATH="$ROOT/.venv/bin:$PATH"
export LD_LIBRARY_PATH="$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Kernels the tests start leave standby kernels behind (kernel/src/standby.rs); stop them.
stop_standbys() {
  TORCHBOOK_STORE=$(.venv/bin/python -c 'import json; print(json.load(open(".venv/share/jupyter/kernels/torchbook/kernel.json"))["env"]["TORCHBOOK_STORE"])') \
    TORCHBOOK_PRELUDE="$ROOT/prelude" .venv/bin/torchbook-kernel standby --stop || true
}
trap stop_standbys EXIT

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy (warnings are errors)"
cargo clippy --release --workspace --all-targets --locked -- -D warnings
echo "==> cargo test"
cargo test --release --workspace --locked
echo "==> kernel protocol, conformance, wire security and notebooks"
# pytest's closing line is this script's summary; above it, the 40 slowest tests (where CI's
# time goes).
.venv/bin/python -m pytest tests -p no:cacheprovider -q --durations=40
