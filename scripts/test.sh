#!/usr/bin/env bash
# Every test: set up (system packages, venv, editor toolchains), lint, type-check, then the
# whole suite — unit, end-to-end through the SDKs, the language server, Neovim and VS Code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extra="neovim chromium build-essential pkg-config libkrb5-dev libsecret-1-dev"
command -v npm >/dev/null || extra="$extra nodejs npm"
export DEEP_REVIEW_EXTRA_PACKAGES="$extra"
bash scripts/setup.sh
. .venv/bin/activate

ruff check server tests bench
ruff format --check server tests bench
mypy

# Editor toolchains (Node 24, code-server, playwright-core, Neovim 0.11) are cached outside the
# clone: the first run takes minutes, later ones a second.
export DEEP_REVIEW_E2E_TOOLS="${DEEP_REVIEW_E2E_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/deep-review/editor-e2e}"
bash scripts/editor-e2e/setup.sh
bash scripts/build-extension.sh
# The real local model server for tests/local_model (llama.cpp + SmolLM2), cached outside the
# clone like the editor toolchains: compiled once (minutes), then reused.
bash scripts/setup-llama.sh

pytest -q -p no:cacheprovider "$@"
