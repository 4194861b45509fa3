#!/usr/bin/env node
// `npm run lab [-- <jupyter lab options>]`: JupyterLab from .venv with the project's tslab kernel, opened on notebooks/.
// Extra arguments go to `jupyter lab` (e.g. `npm run lab -- --no-browser --port 8899`).
import { spawn } from "node:child_process";
import { JUPYTER, NOTEBOOK_DIR, jupyterEnv, setupProblem } from "./kernel/jupyter-env.mjs";
import { writeLabConfig } from "./kernel/lab-config.mjs";

const problem = setupProblem();
if (problem) {
  console.error(`JupyterLab is not set up yet (${problem}).\nRun  npm run setup  once (it creates .venv/ and registers the tslab kernel), then  npm run lab  again.`);
  process.exit(1);
}

writeLabConfig();
const args = ["lab", `--ServerApp.root_dir=${NOTEBOOK_DIR}`, ...(process.getuid?.() === 0 ? ["--allow-root"] : []), ...process.argv.slice(2)];
console.log(`jupyter ${args.join(" ")}\n(notebooks use the "TypeScript" kernel; it runs in the repository root, so they import ./lib/...)`);
const lab = spawn(JUPYTER, args, { stdio: "inherit", env: jupyterEnv() });
// Ctrl-C reaches jupyter directly (same process group); we only wait for it to finish its own shutdown.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => lab.kill("SIGTERM"));
lab.on("error", (e) => { console.error(`cannot start ${JUPYTER}: ${e.message}`); process.exit(1); });
lab.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
