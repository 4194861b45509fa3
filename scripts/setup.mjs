#!/usr/bin/env node
// `npm run setup`: everything a fresh machine needs after `npm ci`, idempotent (a second run only verifies).
//   1. Node packages present (npm ci ran)
//   2. Python virtualenv .venv/ with JupyterLab, nbconvert, nbclient, ipykernel, plotly (its JupyterLab renderer)
//   3. the tslab kernel registered into .jupyter/, started through scripts/kernel/tslab-kernel.sh (repo-root cwd)
//   4. Debian chromium for static figure export (optional: without it, notebooks show figures without a PNG)
//   5. the native TensorFlow backend for tfjs via scripts/setup-native-tfjs.sh (optional; STEERSYNTH_SKIP_NATIVE=1)
//   6. the CLI bundle dist/cli/ (esbuild, scripts/cli-bundle.mjs) so `steersynth` starts without transpiling
//   7. verification: CLI, onnxruntime-node, kernelspec, chromium, tfjs backend, and one notebook executed headless
// A required step that fails stops the run with exit code 1 and says why; optional ones only warn.
import { spawnSync } from "node:child_process";
import { buildCli } from "./cli-bundle.mjs";
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  JUPYTER, JUPYTER_PATH, JUPYTER_PREFIX, KERNEL_LAUNCHER, KERNEL_NAMES, ROOT, VENV, VENV_PYTHON,
  jupyterEnv, kernelJsonPath,
} from "./kernel/jupyter-env.mjs";

/** pip requirement → the module that proves it is importable. plotly ≥ 5 ships its JupyterLab renderer itself. */
const PY_PACKAGES = [
  ["jupyterlab>=4,<5", "jupyterlab"],
  ["nbconvert>=7", "nbconvert"],
  ["nbclient>=0.10", "nbclient"],
  ["ipykernel>=6", "ipykernel"],
  ["plotly>=5", "plotly"],
];
const CHROMIUM = process.env.STEERSYNTH_CHROMIUM || "/usr/bin/chromium";
const NATIVE_SCRIPT = join(ROOT, "scripts", "setup-native-tfjs.sh");
const TSLAB_BIN = join(ROOT, "node_modules", ".bin", "tslab");
const IS_ROOT = process.getuid?.() === 0;

class StepError extends Error {}
const fail = (msg) => { throw new StepError(msg); };

/** Run a command. `show` streams its output to the terminal (long installs); otherwise it is captured. */
function sh(cmd, args, { show = false, env = process.env, cwd = ROOT } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, stdio: show ? "inherit" : "pipe", encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) return { ok: false, out: "", err: r.error.message, status: -1 };
  return { ok: r.status === 0, out: (r.stdout ?? "").trim(), err: (r.stderr ?? "").trim(), status: r.status };
}
/** The informative part of a command's output: from the first line naming an error (else the last lines). */
function firstLines(text, n = 6) {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const at = lines.findIndex((l) => /error/i.test(l));
  return (at >= 0 ? lines.slice(at, at + n) : lines.slice(-n)).join("\n      ");
}

function aptInstall(packages) {
  if (!existsSync("/usr/bin/apt-get")) fail(`apt-get not found; install ${packages.join(" ")} with your package manager`);
  if (!IS_ROOT) fail(`installing ${packages.join(" ")} needs root: run  sudo apt-get install -y ${packages.join(" ")}  and rerun setup`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => sh("apt-get", ["install", "-y", "--no-install-recommends", ...packages], { show: true, env });
  if (install().ok) return;
  console.log("    apt-get install failed; refreshing the package lists and retrying");
  sh("apt-get", ["update"], { show: true, env });
  if (!install().ok) fail(`apt-get install ${packages.join(" ")} failed (see the output above)`);
}

// ---- steps -------------------------------------------------------------------------------------------------------

function checkNodePackages() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) fail(`Node ${process.versions.node} found, Node >= 20 needed`);
  for (const pkg of ["onnxruntime-node", "tslab", "tsx", "playwright-core", "plotly.js-dist-min"])
    if (!existsSync(join(ROOT, "node_modules", pkg, "package.json"))) fail(`node_modules/${pkg} is missing: run  npm ci  first`);
  return `Node ${process.versions.node}, node_modules present`;
}

function pythonVenv() {
  const works = () => existsSync(VENV_PYTHON) && sh(VENV_PYTHON, ["-c", "import sys, pip"]).ok;
  let created = false;
  if (!works()) {
    if (existsSync(VENV)) { console.log(`    ${VENV} exists but its python does not run: recreating it`); rmSync(VENV, { recursive: true, force: true }); }
    const python = process.env.STEERSYNTH_PYTHON || "python3";
    const version = sh(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2]); assert sys.version_info >= (3, 9)"]);
    if (!version.ok) fail(`'${python}' is not a Python >= 3.9 (set STEERSYNTH_PYTHON to one): ${version.err || version.out}`);
    console.log(`    creating ${VENV} with ${python} (Python ${version.out})`);
    let r = sh(python, ["-m", "venv", VENV]);
    if (!r.ok && /ensurepip|venv/.test(r.err + r.out)) {
      // Debian/Ubuntu ship the venv module separately.
      console.log("    the venv module is missing; installing python3-venv");
      rmSync(VENV, { recursive: true, force: true });
      aptInstall(["python3-venv"]);
      r = sh(python, ["-m", "venv", VENV]);
    }
    if (!r.ok) fail(`python3 -m venv .venv failed: ${firstLines(r.err || r.out)}`);
    created = true;
  }
  const modules = PY_PACKAGES.map(([, m]) => m);
  const probe = `import importlib.metadata as md\nfor m in ${JSON.stringify(modules)}:\n    __import__(m); print(m, md.version(m))`;
  let installed = sh(VENV_PYTHON, ["-c", probe]);
  if (!installed.ok) {
    // --retries 0: where the public index is unreachable, pip otherwise retries it for minutes per package.
    console.log(`    pip install ${PY_PACKAGES.map(([r]) => r).join(" ")}`);
    const pip = sh(VENV_PYTHON, ["-m", "pip", "install", "--retries", "0", "--disable-pip-version-check", ...PY_PACKAGES.map(([r]) => r)], { show: true });
    if (!pip.ok) fail("pip install failed (see the output above)");
    installed = sh(VENV_PYTHON, ["-c", probe]);
    if (!installed.ok) fail(`after pip install the packages still do not import: ${firstLines(installed.err)}`);
  }
  // The repo's package.json says "type": "module", and Node applies it to every .js below the repo — including
  // the CommonJS yarn.js that JupyterLab runs at start-up from .venv (it then fails with a screenful of minified code).
  const marker = join(VENV, "package.json");
  if (!existsSync(marker)) writeFileSync(marker, '{ "type": "commonjs" }\n');
  const ext = existsSync(join(VENV, "share", "jupyter", "labextensions", "jupyterlab-plotly")) ? ", plotly labextension present" : ", plotly labextension NOT found";
  return `${created ? "created" : "reused"} .venv: ${installed.out.split("\n").join(", ")}${ext}`;
}

/** Register tslab/jslab into .jupyter/ and point their kernel.json at the launcher that cd's to the repo root. */
function tslabKernel() {
  chmodSync(KERNEL_LAUNCHER, 0o755); // Jupyter executes it directly; an archive or copy may have dropped the mode
  const already = KERNEL_NAMES.every((n) => existsSync(kernelJsonPath(n)) && JSON.parse(readFileSync(kernelJsonPath(n), "utf8")).argv?.[0] === KERNEL_LAUNCHER);
  if (!already) {
    const r = sh(TSLAB_BIN, ["install", `--python=${VENV_PYTHON}`, `--binary=${TSLAB_BIN}`, `--prefix=${JUPYTER_PREFIX}`]);
    if (!r.ok) fail(`tslab install failed: ${firstLines(r.err || r.out)}`);
    for (const name of KERNEL_NAMES) {
      const file = kernelJsonPath(name);
      if (!existsSync(file)) fail(`tslab install did not write ${file}`);
      const spec = JSON.parse(readFileSync(file, "utf8"));
      if (spec.argv?.[0] !== TSLAB_BIN) fail(`${file}: expected argv[0] = ${TSLAB_BIN}, found ${JSON.stringify(spec.argv)}`);
      spec.argv[0] = KERNEL_LAUNCHER;
      writeFileSync(`${file}.tmp`, JSON.stringify(spec, null, 2) + "\n");
      renameSync(`${file}.tmp`, file);
    }
  }
  const argv = JSON.parse(readFileSync(kernelJsonPath("tslab"), "utf8")).argv;
  return `${already ? "already registered" : "registered"} in ${JUPYTER_PATH}/kernels/{${KERNEL_NAMES.join(",")}}; argv: ${argv.join(" ")}`;
}

function chromium() {
  if (!existsSync(CHROMIUM)) {
    if (CHROMIUM !== "/usr/bin/chromium") fail(`STEERSYNTH_CHROMIUM=${CHROMIUM} does not exist`);
    console.log(`    ${CHROMIUM} missing: apt-get install chromium fonts-liberation`);
    aptInstall(["chromium", "fonts-liberation"]);
  }
  const v = sh(CHROMIUM, ["--version"]);
  if (!v.ok) fail(`${CHROMIUM} --version failed: ${firstLines(v.err)}`);
  return `${CHROMIUM}: ${v.out}`;
}

function nativeTfjs() {
  if (process.env.STEERSYNTH_SKIP_NATIVE === "1") return { warn: "skipped (STEERSYNTH_SKIP_NATIVE=1); training uses wasm" };
  if (!existsSync(NATIVE_SCRIPT)) return { warn: `${NATIVE_SCRIPT} not present; training uses wasm` };
  // TensorFlow's C++ start-up chatter (oneDNN, CPU features) is noise here.
  const r = sh("bash", [NATIVE_SCRIPT], { show: true, env: { TF_CPP_MIN_LOG_LEVEL: "2", ...process.env } });
  if (!r.ok) return { warn: `scripts/setup-native-tfjs.sh exited with ${r.status}; training uses wasm` };
  return "scripts/setup-native-tfjs.sh finished (the verification below says which backend loads)";
}

async function cliBundle() {
  const t0 = Date.now();
  let r;
  try { r = await buildCli(ROOT); } catch (e) { fail(`esbuild could not bundle lib/cli: ${firstLines(e.message)}`); }
  return `${r.dir}: ${r.inputs} sources → ${r.chunks} chunks (${Date.now() - t0} ms)`;
}

// ---- verification ------------------------------------------------------------------------------------------------

function verifyCli() {
  const r = sh(process.execPath, [join(ROOT, "bin", "steersynth.mjs"), "--help"]);
  if (!r.ok) fail(`node bin/steersynth.mjs --help exited with ${r.status}: ${firstLines(r.err || r.out)}`);
  if (r.err) fail(`node bin/steersynth.mjs --help did not run the bundle: ${firstLines(r.err)}`);
  return `node bin/steersynth.mjs --help: ${r.out.split("\n").length} lines of usage (from dist/cli)`;
}

function verifyOnnxruntime() {
  const r = sh(process.execPath, ["-e", "const o = require('onnxruntime-node'); console.log(require('onnxruntime-node/package.json').version, typeof o.InferenceSession.create)"]);
  if (!r.ok || !r.out.endsWith("function")) fail(`onnxruntime-node does not load: ${firstLines(r.err || r.out)}`);
  return `onnxruntime-node ${r.out.split(" ")[0]} loads`;
}

function verifyKernelspec() {
  const r = sh(JUPYTER, ["kernelspec", "list", "--json"], { env: jupyterEnv() });
  if (!r.ok) fail(`jupyter kernelspec list failed: ${firstLines(r.err)}`);
  const spec = JSON.parse(r.out).kernelspecs?.tslab;
  if (!spec) fail(`jupyter kernelspec list (JUPYTER_PATH=${JUPYTER_PATH}) does not list tslab`);
  if (spec.spec.argv[0] !== KERNEL_LAUNCHER) fail(`the listed tslab kernel starts ${spec.spec.argv[0]}, not the launcher`);
  return `jupyter kernelspec list shows tslab at ${spec.resource_dir}`;
}

function verifyChromium() {
  const v = existsSync(CHROMIUM) && sh(CHROMIUM, ["--version"]);
  return v && v.ok ? `${v.out} (PNG/SVG export and notebook PNG fallbacks available)` : { warn: `${CHROMIUM} unavailable: no PNG/SVG export, notebooks show figures without a static PNG (HTML export still works)` };
}

function verifyTfBackend() {
  if (!existsSync(join(ROOT, "lib", "train", "backend.ts"))) return { warn: "lib/train/backend.ts not present; cannot tell" };
  const code = "import('./lib/train/backend.ts').then((m) => m.initTf({ quiet: true })).then((r) => console.log(r.backend))";
  const r = sh(join(ROOT, "node_modules", ".bin", "tsx"), ["-e", code], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" } });
  if (!r.ok) return { warn: `could not load a tfjs backend: ${firstLines(r.err)}` };
  const backend = r.out.split("\n").pop();
  return backend === "tensorflow" || backend === "tensorflow-gpu" ? `training uses tfjs backend '${backend}' (native)` : { warn: `training uses tfjs backend '${backend}' (no native build)` };
}

function verifyNotebook() {
  const r = sh(process.execPath, [join(ROOT, "scripts", "notebooks.mjs"), "--only", "00"], { show: true });
  if (!r.ok) fail("notebooks/00-hello.ipynb did not execute headless with the tslab kernel (see above)");
  return "notebooks/00-hello.ipynb executed headless with the tslab kernel";
}

// ---- driver ------------------------------------------------------------------------------------------------------

const STEPS = [
  ["Node packages", true, checkNodePackages],
  ["Python venv (.venv) with JupyterLab", true, pythonVenv],
  ["tslab kernel (.jupyter)", true, tslabKernel],
  ["Chromium for static figures", false, chromium],
  ["Native TensorFlow backend (optional)", false, nativeTfjs],
  ["CLI bundle (dist/cli)", true, cliBundle],
  ["verify: CLI", true, verifyCli],
  ["verify: onnxruntime-node", true, verifyOnnxruntime],
  ["verify: Jupyter sees the tslab kernel", true, verifyKernelspec],
  ["verify: Chromium", false, verifyChromium],
  ["verify: tfjs backend", false, verifyTfBackend],
  ["verify: headless notebook run", true, verifyNotebook],
];

const summary = [];
const t0 = Date.now();
for (const [i, [name, required, fn]] of STEPS.entries()) {
  console.log(`\n[${i + 1}/${STEPS.length}] ${name}`);
  const ts = Date.now();
  let status, detail;
  try {
    const r = await fn();
    [status, detail] = typeof r === "object" ? ["warn", r.warn] : ["ok", r];
  } catch (e) {
    if (!(e instanceof StepError)) throw e;
    [status, detail] = [required ? "FAIL" : "warn", e.message];
  }
  const secs = ((Date.now() - ts) / 1000).toFixed(1);
  console.log(`    ${status}: ${detail} (${secs} s)`);
  summary.push([status, name, detail]);
  // An install step that failed leaves nothing for the next ones to build on; checks all run regardless.
  if (status === "FAIL" && !name.startsWith("verify:")) break;
}

console.log(`\nsetup summary (${((Date.now() - t0) / 1000).toFixed(0)} s):`);
for (const [status, name, detail] of summary) console.log(`  ${status.padEnd(4)}  ${name}: ${detail}`);
const failed = summary.find(([s]) => s === "FAIL");
if (failed) {
  console.log(`\nsetup FAILED at "${failed[1]}": ${failed[2]}`);
  process.exit(1);
}
console.log("\nsetup complete. Next: npm test · npm run lab · npm run notebooks · npm run study");
