#!/usr/bin/env node
// `npm run notebooks`: execute every notebooks/*.ipynb headless with the tslab kernel, top to bottom, as CI does.
//   node scripts/notebooks.mjs [--only <prefix>] [--timeout <s per cell>] [--out <dir>] [--inplace]
// Executed copies go to a temporary folder (removed afterwards) or to --out; the committed notebooks change only
// with --inplace. On a failing cell it prints that cell and its stderr/error output (tslab reports TypeScript
// errors only on stderr) and exits 1.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { JUPYTER, NOTEBOOK_DIR, ROOT, jupyterEnv, setupProblem } from "./kernel/jupyter-env.mjs";

const USAGE = "usage: node scripts/notebooks.mjs [--only <prefix>] [--timeout <seconds per cell>] [--out <dir>] [--inplace]";

function parseOptions(argv) {
  const opts = { only: null, timeout: 600, out: null, inplace: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--only") opts.only = value();
    else if (a === "--timeout") {
      opts.timeout = Number(value());
      if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) throw new Error(`--timeout: expected a positive number of seconds\n${USAGE}`);
    } else if (a === "--out") opts.out = resolve(value());
    else if (a === "--inplace") opts.inplace = true;
    else if (a === "--help" || a === "-h") { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (opts.inplace && opts.out) throw new Error(`--inplace and --out exclude each other\n${USAGE}`);
  return opts;
}

/** Run a command, echoing nothing; resolves with its exit code and combined output. */
function capture(cmd, args, env) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    child.on("error", (e) => done({ code: -1, out: e.message }));
    child.on("close", (code) => done({ code, out }));
  });
}

/**
 * The useful part of nbconvert's failure output: nbclient's CellExecutionError / CellTimeoutError message, which
 * holds the cell's source and its stderr and error outputs. Names the cell's position when it can be matched.
 */
function describeFailure(out, notebookFile) {
  const at = out.search(/nbclient\.exceptions\.\w+:/);
  if (at < 0) return out.trim().split("\n").slice(-40).join("\n");
  const message = out.slice(at).trim();
  const source = /following cell:\n-{18}\n([\s\S]*?)\n-{18}/.exec(message)?.[1];
  if (source === undefined) return message;
  const cells = JSON.parse(readFileSync(notebookFile, "utf8")).cells;
  const joinSource = (c) => (Array.isArray(c.source) ? c.source.join("") : c.source);
  const index = cells.findIndex((c) => c.cell_type === "code" && joinSource(c).trim() === source.trim());
  return (index >= 0 ? `failing cell: #${index + 1} of ${cells.length}\n` : "") + message;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const problem = setupProblem();
  if (problem) throw new Error(`the notebook machinery is not set up (${problem}): run  npm run setup  first`);
  const all = readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb")).sort();
  const chosen = opts.only ? all.filter((f) => f.startsWith(opts.only)) : all;
  if (chosen.length === 0) throw new Error(`no notebook in ${NOTEBOOK_DIR} matches ${opts.only ? `--only ${opts.only}` : "*.ipynb"}`);
  const outDir = opts.out ?? (opts.inplace ? null : mkdtempSync(join(tmpdir(), "steersynth-notebooks-")));
  if (outDir) mkdirSync(outDir, { recursive: true });

  const env = jupyterEnv();
  let failed = 0;
  const t0 = Date.now();
  try {
    for (const file of chosen) {
      const path = join(NOTEBOOK_DIR, file);
      process.stdout.write(`notebook ${file} ... `);
      const start = Date.now();
      const args = [
        "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.kernel_name=tslab",
        `--ExecutePreprocessor.timeout=${opts.timeout}`,
        // tslab compiles its TypeScript service on start; on a busy 2-core machine that can take a while.
        "--ExecutePreprocessor.startup_timeout=180",
        ...(opts.inplace ? ["--inplace"] : ["--output-dir", outDir]),
        path,
      ];
      const { code, out } = await capture(JUPYTER, args, env);
      const secs = ((Date.now() - start) / 1000).toFixed(1);
      if (code === 0) {
        console.log(`ok (${secs} s)`);
        continue;
      }
      failed++;
      console.log(`FAILED (${secs} s, exit code ${code})`);
      console.log(describeFailure(out, path).replace(/^/gm, "    "));
    }
  } finally {
    if (outDir && !opts.out) rmSync(outDir, { recursive: true, force: true });
  }
  const total = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`${chosen.length - failed}/${chosen.length} notebooks ran without error (${total} s)${opts.out ? `; executed copies in ${opts.out}` : ""}`);
  // A plain closing line that CI log readers understand.
  console.log(`notebooks: ${chosen.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`error: ${err.message}`); process.exitCode = 1; },
);
