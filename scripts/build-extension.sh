#!/usr/bin/env bash
# Builds the VS Code extension: npm ci, lint, typecheck, unit tests, bundle, package (.vsix).
# Output: vscode-extension/deep-review.vsix (what tests/editors/test_vscode_e2e.py installs).
set -euo pipefail
cd "$(dirname "$0")/../vscode-extension"
npm ci --no-audit --no-fund
npm run lint
npm run typecheck
npm test
npm run bundle
npm run package
ls -l deep-review.vsix
