#!/usr/bin/env node
// `npm run notebooks`: execute every notebooks/*.ipynb headless with the tslab kernel, top to bottom.
//   node scripts/notebooks.mjs [--only <prefix>] [--timeout <s per cell>] [--out <dir>] [--inplace] [--html] [--as-is]
// By default each exercise stub is replaced by its solution and a wrong answer is an error (scripts/kernel/
// exercises.mjs), so the solutions are tested; --as-is runs the notebooks as a learner gets them (stubs, checks that
// say "not yet"); --inplace (always as-is) stores the outputs in the committed notebooks; --html (as-is) writes
// executed, readable copies with live plotly figures to notebooks-html/ (git-ignored). Executed copies go to a
// temporary folder (removed afterwards) or to --out. On a failing cell it prints that cell and its stderr/error
// output (tslab reports TypeScript errors only on stderr) and exits 1.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";
import { JUPYTER, NOTEBOOK_DIR, ROOT, jupyterEnv } from "./kernel/jupyter-env.mjs";
import { SOLUTIONS_ENV, withSolutions } from "./kernel/exercises.mjs";
import { parseRunnerOptions, selectNotebooks } from "./kernel/options.mjs";
import { htmlWithLivePlotly } from "./kernel/notebook-html.mjs";

const USAGE = "usage: node scripts/notebooks.mjs [--only <prefix>] [--timeout <seconds per cell>] [--out <dir>] [--inplace] [--html] [--as-is]";
const HTML_DIR = join(ROOT, "notebooks-html");

function parseOptions(argv) {
  const opts = parseRunnerOptions(argv, USAGE, { timeout: 600, flags: ["inplace", "html", "as-is"] });
  if (opts.inplace && opts.out) throw new Error(`--inplace and --out exclude each other\n${USAGE}`);
  if (opts.inplace && opts.html) throw new Error(`--inplace and --html exclude each other\n${USAGE}`);
  // Stored outputs and readable copies show what a learner sees: the stubs, not the solutions.
  if (opts.inplace || opts.html) opts.asIs = true;
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

/**
 * An executed notebook as a readable HTML page (nbconvert's lab template) whose figures are live plotly charts: each
 * plotly output gets a text/html part that draws it with the plotly.js copied next to the pages.
 */
async function writeHtml(executed, env) {
  const nb = JSON.parse(readFileSync(executed, "utf8"));
  const live = join(dirname(executed), `live-${basename(executed)}`);
  writeFileSync(live, JSON.stringify(htmlWithLivePlotly(nb), null, 1) + "\n");
  const name = basename(executed, ".ipynb");
  const { code, out } = await capture(JUPYTER, ["nbconvert", "--to", "html", "--output-dir", HTML_DIR, "--output", name, live], env);
  if (code !== 0) throw new Error(`nbconvert --to html ${executed} failed:\n${out.slice(-2000)}`);
  const page = join(HTML_DIR, `${name}.html`);
  // First in <head>: the template also loads require.js, and plotly.js (UMD) loaded after it would register as an
  // AMD module instead of the global `Plotly` that the figures call.
  const html = readFileSync(page, "utf8").replace(/<head>/, '<head>\n<script src="plotly.min.js"></script>');
  writeFileSync(`${page}.tmp`, html);
  renameSync(`${page}.tmp`, page);
  copyFileSync(createRequire(join(ROOT, "package.json")).resolve("plotly.js-dist-min"), join(HTML_DIR, "plotly.min.js"));
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const chosen = selectNotebooks(opts);
  const outDir = opts.out ?? (opts.inplace ? null : mkdtempSync(join(tmpdir(), "steersynth-notebooks-")));
  if (outDir) mkdirSync(outDir, { recursive: true });

  const env = { ...jupyterEnv(), ...(opts.asIs ? {} : SOLUTIONS_ENV) };
  // Solutions go into copies in a scratch folder; the kernel still runs in the repository root.
  const scratch = mkdtempSync(join(tmpdir(), "steersynth-notebooks-in-"));
  let failed = 0;
  const t0 = Date.now();
  try {
    if (opts.html) mkdirSync(HTML_DIR, { recursive: true });
    for (const file of chosen) {
      let path = join(NOTEBOOK_DIR, file);
      let note = "";
      if (!opts.asIs) {
        const { nb, exercises } = withSolutions(JSON.parse(readFileSync(path, "utf8")), `notebooks/${file}`);
        path = join(scratch, file);
        writeFileSync(path, JSON.stringify(nb, null, 1) + "\n");
        note = `, ${exercises} exercise${exercises === 1 ? "" : "s"} checked with ${exercises === 1 ? "its solution" : "their solutions"}`;
      }
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
        if (opts.html) await writeHtml(join(outDir, file), env);
        console.log(`ok (${secs} s${note})`);
        continue;
      }
      failed++;
      console.log(`FAILED (${secs} s, exit code ${code})`);
      console.log(describeFailure(out, path).replace(/^/gm, "    "));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (outDir && !opts.out) rmSync(outDir, { recursive: true, force: true });
  }
  const total = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`${chosen.length - failed}/${chosen.length} notebooks ran without error (${total} s)${opts.out ? `; executed copies in ${opts.out}` : ""}${opts.html ? `; HTML copies in ${HTML_DIR}` : ""}`);
  // A plain closing line that CI log readers understand.
  console.log(`notebooks: ${chosen.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`error: ${err.message}`); process.exitCode = 1; },
);
