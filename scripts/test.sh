#!/usr/bin/env bash
# The test command: set-up (idempotent), type-check, then every jest suite, integration
# tests against a real local Temporal server and real Kilosort4 included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.json --noEmit
results=.setup-stamps/jest-results.json
rm -f "$results"
status=0
node node_modules/jest/bin/jest.js --runInBand --json --outputFile="$results" "$@" || status=$?
# One plain closing line that any CI log reader understands.
if [ -f "$results" ]; then
  node -e 'const r = require(process.argv[1]); console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$(pwd)/$results"
fi
exit $status
