#!/usr/bin/env bash
# Every test: set up (system packages, venv, editors), lint, type-check, then the whole suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEEP_REVIEW_EXTRA_PACKAGES="neovim chromium nodejs npm build-essential pkg-config libkrb5-dev libsecret-1-dev"
bash scripts/setup.sh
. .venv/bin/activate
ruff check server tests bench
ruff format --check server tests bench
mypy
if [ -x scripts/build-extension.sh ]; then
  bash scripts/build-extension.sh
fi
pytest -q -p no:cacheprovider "$@"
