#!/usr/bin/env bash
# One idempotent set-up for a fresh clone: npm dependencies, the project venv (temporal CLI,
# CPU torch, Kilosort4, reference readers) and the TypeScript build. Each step is skipped
# when its inputs have not changed since it last succeeded.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STAMPS="$ROOT/.setup-stamps"
mkdir -p "$STAMPS"

stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

say() { printf '[setup] %s\n' "$*" >&2; }

command -v node >/dev/null || { say "Node.js 20+ is required (node not found)"; exit 1; }
command -v python3 >/dev/null || { say "Python 3.11 is required (python3 not found)"; exit 1; }

# 1. npm dependencies. onnxruntime-node's install script would download CUDA files: skip it,
#    the CPU binaries ship inside the package.
npm_hash=$(hash_of package.json package-lock.json)
if ! stamp_ok npm "$npm_hash" || [ ! -d node_modules ]; then
  say "installing npm dependencies"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >&2
  echo "$npm_hash" > "$STAMPS/npm"
fi

# 2. The project venv. torch is installed first and pinned to the CPU wheel on this
#    machine's disk; asking for kilosort without it would pull a multi-GB CUDA build.
py_hash=$(hash_of python/requirements.txt)
if ! stamp_ok venv "$py_hash" || [ ! -x .venv/bin/python ]; then
  say "creating the Python venv (.venv): torch (CPU), kilosort, temporal CLI"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  pip_log="$STAMPS/pip.log"
  # pip's own chatter goes to a log; it is shown only when an install fails.
  if ! { .venv/bin/python -m pip install --quiet --upgrade pip \
      && .venv/bin/python -m pip install --quiet "$(grep -E '^torch==' python/requirements.txt)" \
      && .venv/bin/python -m pip install --quiet -r python/requirements.txt; } > "$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2
    say "pip failed (full log: $pip_log)"
    exit 1
  fi
  echo "$py_hash" > "$STAMPS/venv"
fi
.venv/bin/temporal --version >/dev/null || { say "the temporal CLI did not install into .venv"; exit 1; }

# 3. Build (fast when nothing changed: tsc is incremental).
say "building TypeScript"
npx tsc -p tsconfig.json >&2
node scripts/copy-assets.js
