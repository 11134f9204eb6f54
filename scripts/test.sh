#!/usr/bin/env bash
# The test command: set-up (idempotent), type-check, then every jest suite, integration
# tests against a real local Temporal server and real Kilosort4 included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.json --noEmit
node node_modules/jest/bin/jest.js --runInBand "$@"
