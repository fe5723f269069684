#!/usr/bin/env bash
# Installs the peers bench/peers.py measures against, outside the repository's build:
# evcxr_jupyter 0.22.0 into ~/.cache/torchbook/peers/evcxr (about 5-13 min of compiling once).
# ipykernel comes with the repository's .venv (requirements.txt).
set -euo pipefail
PEERS=${TORCHBOOK_PEERS:-$HOME/.cache/torchbook/peers}
mkdir -p "$PEERS"
if [ ! -x "$PEERS/evcxr/bin/evcxr_jupyter" ]; then
  cargo install evcxr_jupyter --version 0.22.0 --locked --root "$PEERS/evcxr"
fi
"$PEERS/evcxr/bin/evcxr_jupyter" --help >/dev/null
echo "evcxr_jupyter ready in $PEERS/evcxr/bin"
