#!/usr/bin/env bash
# The demo: set-up (idempotent), then a real sort of a generated MaxOne recording on the
# embedded Temporal server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node dist/src/cli/main.js demo "$@"
