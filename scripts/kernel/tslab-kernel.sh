#!/usr/bin/env bash
# Jupyter kernel launcher for tslab (registered by scripts/setup.mjs in .jupyter/share/jupyter/kernels/*/kernel.json).
# Jupyter starts a kernel in the notebook's folder, but tslab takes its working directory as the TypeScript rootDir,
# so `import "../lib/x"` from notebooks/ would fail. Starting tslab from the repository root instead lets every
# notebook import `./lib/...` and lets lib/util/paths.ts find the root from process.cwd().
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export STEERSYNTH_ROOT="$ROOT"
# Progress in a notebook is one line redrawn with "\r" on stdout, which Jupyter renders in place (lib/util/progress.ts).
# "bar" and "lines" (CI exports STEERSYNTH_PROGRESS=lines for its logs) write to stderr, which JupyterLab paints as an
# error: inside the kernel only "off" is kept, anything else becomes "live".
if [ "${STEERSYNTH_PROGRESS:-}" != "off" ]; then export STEERSYNTH_PROGRESS=live; fi
# start-tslab.cjs applies a fix to tslab before starting it (see there).
exec node "$ROOT/scripts/kernel/start-tslab.cjs" "$@"
