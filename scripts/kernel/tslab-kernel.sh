#!/usr/bin/env bash
# Jupyter kernel launcher for tslab (registered by scripts/setup.mjs in .jupyter/share/jupyter/kernels/*/kernel.json).
# Jupyter starts a kernel in the notebook's folder, but tslab takes its working directory as the TypeScript rootDir,
# so `import "../lib/x"` from notebooks/ would fail. Starting tslab from the repository root instead lets every
# notebook import `./lib/...` and lets lib/util/paths.ts find the root from process.cwd().
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export STEERSYNTH_ROOT="$ROOT"
# Progress lines are redrawn with "\r", which Jupyter renders in place (see lib/util/progress.ts).
export STEERSYNTH_PROGRESS="${STEERSYNTH_PROGRESS:-live}"
# start-tslab.cjs applies a fix to tslab before starting it (see there).
exec node "$ROOT/scripts/kernel/start-tslab.cjs" "$@"
