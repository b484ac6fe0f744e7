#!/usr/bin/env bash
# The main job on a machine with no API keys: set up, then review a realistic example change
# with scripted reviewers (labelled as scripted everywhere) plus the real offline analyzers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/deep-review demo "$@"
