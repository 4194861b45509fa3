#!/usr/bin/env node
// `npm run notebooks:browser`: every notebook as a student meets it, in a real browser. Starts JupyterLab on loopback
// (a random port and token) over a temporary COPY of notebooks/ (JupyterLab autosaves; the committed notebooks must
// not change), opens each notebook in headless Debian chromium through playwright-core, runs all cells and checks:
//   - the run finished: every code cell has an execution count;
//   - no error output and no stderr output at all (progress must be one stdout line; stderr is painted as an error);
//   - every figure the kernel sent is a LIVE plotly chart (its .plot-container shown, the static image hidden),
//     no wider than the output area, its legend or colour bar inside it;
//   - every table sits in its bounded, scrolling box;
//   - the debugger toggle is not offered (tslab cannot debug).
// Screenshots (the first screen, and every figure and table as the student sees it) and the executed notebook go to
// notebooks-browser/<name>/.
// As in `npm run notebooks`, each exercise stub is replaced by its solution and a wrong answer is an error, so the
// solutions are tested too; --as-is runs the notebooks exactly as a learner gets them.
//   node scripts/notebooks-browser.mjs [--only <prefix>] [--timeout <s per notebook>] [--out <dir>] [--as-is]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { JUPYTER, NOTEBOOK_DIR, ROOT, jupyterEnv } from "./kernel/jupyter-env.mjs";
import { writeLabConfig } from "./kernel/lab-config.mjs";
import { SOLUTIONS_ENV, withSolutions } from "./kernel/exercises.mjs";
import { parseRunnerOptions, selectNotebooks } from "./kernel/options.mjs";

const USAGE = "usage: node scripts/notebooks-browser.mjs [--only <prefix>] [--timeout <seconds per notebook>] [--out <dir>] [--as-is]";
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const CHROMIUM = process.env.STEERSYNTH_CHROMIUM || "/usr/bin/chromium";
// The same flags as lib/plot/render.ts: no GPU, no sandbox (root in containers), no background network traffic.
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
// A 1280 × 900 window: JupyterLab's output area is then ~1000 px wide, the size the figures are capped for.
const VIEWPORT = { width: 1280, height: 900 };

const parseOptions = (argv) => parseRunnerOptions(argv, USAGE, { timeout: 300, out: resolve(ROOT, "notebooks-browser"), flags: ["as-is"] });

const freePort = () => new Promise((done, fail) => {
  const srv = createServer();
  srv.once("error", fail);
  srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => done(port)); });
});

/** JupyterLab on loopback over `rootDir`; resolves once it answers, with a stop() that ends it. */
async function startLab(rootDir, extraEnv) {
  const port = await freePort(), token = randomBytes(16).toString("hex");
  const args = [
    "lab", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--ServerApp.token=${token}`, `--ServerApp.root_dir=${rootDir}`,
    "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True",
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ];
  const lab = spawn(JUPYTER, args, { cwd: ROOT, env: { ...jupyterEnv(), ...extraEnv, JUPYTER_CONFIG_DIR: join(rootDir, ".jupyter-config") }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  lab.stdout.on("data", (d) => { log += d; });
  lab.stderr.on("data", (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (lab.exitCode !== null) throw new Error(`jupyter lab exited with code ${lab.exitCode}:\n${log.slice(-3000)}`);
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { lab.kill("SIGTERM"); throw new Error(`jupyter lab did not answer on ${base} within 120 s:\n${log.slice(-3000)}`); }
    await new Promise((r) => setTimeout(r, 500));
  }
  const stop = () => new Promise((done) => {
    if (lab.exitCode !== null) return done();
    lab.once("exit", () => done());
    lab.kill("SIGTERM");
    setTimeout(() => lab.kill("SIGKILL"), 10_000).unref();
  });
  return { base, token, stop, log: () => log };
}

/** In the page: the open notebook's state, read from JupyterLab's own models (window.jupyterapp). */
function notebookState() {
  const panel = window.jupyterapp.shell.currentWidget;
  const nb = panel?.content;
  if (!nb?.widgets) return { ready: false };
  const kernel = panel.sessionContext?.session?.kernel;
  const cells = nb.widgets.map((cell) => {
    const m = cell.model;
    if (m.type !== "code") return { type: m.type };
    return {
      type: "code",
      executionCount: m.executionCount,
      running: /\*/.test(cell.node.querySelector(".jp-InputPrompt")?.textContent ?? ""),
      outputs: m.outputs.toJSON(),
    };
  });
  return { ready: true, kernel: kernel?.status ?? "none", kernelName: kernel?.name ?? null, cells };
}

/** In the page: what the student sees of every figure and table in the open notebook. */
function renderedState() {
  const visible = (el) => !!el && getComputedStyle(el).display !== "none" && el.getBoundingClientRect().width > 0;
  const figures = [...document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly")].map((el) => {
    const area = el.closest(".jp-OutputArea-child")?.querySelector(".jp-OutputArea-output") ?? el.parentElement;
    const svg = el.querySelector(".main-svg");
    return {
      live: visible(el.querySelector(".plot-container")) && !visible(el.querySelector(".plot-img")),
      // The chart's own width (or, where the static image shows instead, the image's).
      width: visible(el.querySelector(".plot-img")) ? el.querySelector(".plot-img").getBoundingClientRect().width : svg ? svg.getBoundingClientRect().width : el.getBoundingClientRect().width,
      areaWidth: area.getBoundingClientRect().width,
      // Legends and colour bars must lie inside the chart, not cut off at its right edge.
      keysInside: [...el.querySelectorAll(".legend, .colorbar")].every((k) => !svg || k.getBoundingClientRect().right <= svg.getBoundingClientRect().right + 1),
    };
  });
  const tables = [...document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output table")].map((t) => {
    const box = t.closest(".steersynth-table");
    return { boxed: !!box, height: (box ?? t).getBoundingClientRect().height };
  });
  const debuggerButton = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-DebuggerBugButton");
  return { figures, tables, debuggerShown: visible(debuggerButton) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function checkNotebook(page, lab, workDir, file, opts, shotDir) {
  const problems = [];
  await page.goto(`${lab.base}/lab/tree/${encodeURIComponent(file)}?token=${lab.token}&reset`, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => !!window.jupyterapp?.shell?.currentWidget?.sessionContext, null, { timeout: 120_000 });
  // The kernel (tslab compiles its TypeScript service on start) must be idle before Run All.
  await page.waitForFunction(() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === "idle", null, { timeout: 180_000, polling: 500 });
  const start = Date.now();
  await page.evaluate(() => window.jupyterapp.commands.execute("notebook:run-all-cells"));
  const deadline = start + opts.timeout * 1000;
  let state, quietSince = null;
  for (;;) {
    await sleep(1000);
    state = await page.evaluate(notebookState);
    const busy = state.kernel !== "idle" || state.cells.some((c) => c.running);
    if (busy) quietSince = null;
    else if (quietSince === null) quietSince = Date.now();
    else if (Date.now() - quietSince > 2500) break;
    if (Date.now() > deadline) { problems.push(`did not finish within ${opts.timeout} s`); break; }
  }
  const seconds = (Date.now() - start) / 1000;
  // The plotly renderer builds charts asynchronously; give the last one a moment.
  await sleep(1500);

  const code = state.cells.filter((c) => c.type === "code");
  code.forEach((c, i) => {
    if (c.executionCount === null) problems.push(`code cell ${i + 1} of ${code.length} did not run`);
    for (const o of c.outputs) {
      if (o.output_type === "error") problems.push(`code cell ${i + 1}: error ${o.ename}: ${String(o.evalue).slice(0, 300)}`);
      if (o.output_type === "stream" && o.name === "stderr") problems.push(`code cell ${i + 1}: stderr output: ${JSON.stringify(String(o.text).slice(0, 300))}`);
    }
  });
  const sent = code.reduce((n, c) => n + c.outputs.filter((o) => o.data?.[PLOTLY_MIME]).length, 0);
  const seen = await page.evaluate(renderedState);
  if (seen.figures.length !== sent) problems.push(`${sent} figures sent by the kernel, ${seen.figures.length} rendered by the plotly renderer`);
  seen.figures.forEach((f, i) => {
    if (!f.live) problems.push(`figure ${i + 1}: not a live plotly chart (static image shown)`);
    if (!f.keysInside) problems.push(`figure ${i + 1}: its legend or colour bar is cut off`);
    if (f.width > f.areaWidth + 1) problems.push(`figure ${i + 1}: ${Math.round(f.width)} px wide, output area ${Math.round(f.areaWidth)} px`);
  });
  seen.tables.forEach((t, i) => {
    if (!t.boxed) problems.push(`table ${i + 1}: not inside its scrolling box`);
    if (t.height > 480) problems.push(`table ${i + 1}: ${Math.round(t.height)} px tall`);
  });
  if (seen.debuggerShown) problems.push("the debugger toggle is shown, but tslab cannot debug");

  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, "page.png") });
  const outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly, .jp-NotebookPanel:not(.lm-mod-hidden) .steersynth-table");
  const n = await outputs.count();
  for (let i = 0; i < n; i++) await outputs.nth(i).screenshot({ path: join(shotDir, `output-${String(i + 1).padStart(2, "0")}.png`) }).catch(() => {});
  // The executed notebook as JupyterLab saved it, next to the screenshots (for reading the outputs).
  await page.evaluate(() => window.jupyterapp.commands.execute("docmanager:save")).catch(() => {});
  await sleep(1000);
  try { copyFileSync(join(workDir, file), join(shotDir, file)); } catch { /* not saved: screenshots only */ }
  await page.evaluate(() => window.jupyterapp.commands.execute("kernelmenu:shutdown")).catch(() => {});
  return { seconds, problems, figures: seen.figures.length, tables: seen.tables.length, areaWidth: Math.round(seen.figures[0]?.areaWidth ?? NaN) };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const chosen = selectNotebooks(opts);

  const work = mkdtempSync(join(tmpdir(), "steersynth-browser-"));
  for (const f of chosen) {
    const nb = JSON.parse(readFileSync(join(NOTEBOOK_DIR, f), "utf8"));
    writeFileSync(join(work, f), JSON.stringify(opts.asIs ? nb : withSolutions(nb, `notebooks/${f}`).nb, null, 1) + "\n");
  }
  rmSync(opts.out, { recursive: true, force: true });
  mkdirSync(opts.out, { recursive: true });
  writeLabConfig();
  const lab = await startLab(work, opts.asIs ? {} : SOLUTIONS_ENV);
  const { chromium } = createRequire(join(ROOT, "package.json"))("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  let failed = 0;
  const summary = [];
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    for (const file of chosen) {
      process.stdout.write(`browser ${file} ... `);
      let r;
      try {
        r = await checkNotebook(page, lab, work, file, opts, join(opts.out, file.replace(/\.ipynb$/, "")));
      } catch (err) {
        r = { seconds: NaN, problems: [`${err.message.split("\n")[0]}`], figures: 0, tables: 0 };
      }
      summary.push({ notebook: file, seconds: Number(r.seconds.toFixed(1)), figures: r.figures, tables: r.tables, outputAreaPx: r.areaWidth, problems: r.problems });
      if (r.problems.length === 0) console.log(`ok (${r.seconds.toFixed(1)} s run all; ${r.figures} live figures, ${r.tables} tables)`);
      else {
        failed++;
        console.log(`FAILED (${r.seconds.toFixed(1)} s)`);
        for (const p of r.problems) console.log(`    ${p}`);
      }
    }
  } finally {
    await browser.close();
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(join(opts.out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  console.log(`screenshots in ${opts.out}`);
  console.log(`notebooks in the browser: ${chosen.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`error: ${err.message}`); process.exitCode = 1; },
);
