#!/usr/bin/env bash
# The image's entry point: on a user's first start (an empty home, as a hub mounts one), copy
# the course notebooks and the teaching material into it and trust them; then run the command
# (jupyterhub-singleuser on a hub, `jupyter notebook ...` on Binder).
set -euo pipefail
SRC=/opt/torchbook/src
if [ ! -e "$HOME/notebooks" ]; then
  cp -r "$SRC/notebooks" "$HOME/notebooks"
  cp -r "$SRC/teaching" "$HOME/teaching" 2>/dev/null || true
  "$SRC/.venv/bin/jupyter" trust "$HOME"/notebooks/*.ipynb >/dev/null 2>&1 || true
fi
exec "$@"
