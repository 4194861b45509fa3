// The command-line options the notebook runners share (scripts/notebooks.mjs, scripts/notebooks-browser.mjs):
// --only <prefix>, --timeout <seconds>, --out <dir>, --help, and each runner's own boolean flags.
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { NOTEBOOK_DIR, setupProblem } from "./jupyter-env.mjs";

const camel = (flag) => flag.replace(/-(\w)/g, (_, c) => c.toUpperCase());

/** `flags`: boolean options without the dashes ("as-is" → opts.asIs). Errors name the option and show `usage`. */
export function parseRunnerOptions(argv, usage, { timeout, out = null, flags = [] }) {
  const opts = { only: null, timeout, out, ...Object.fromEntries(flags.map((f) => [camel(f), false])) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value\n${usage}`);
      return v;
    };
    if (a === "--only") opts.only = value();
    else if (a === "--timeout") {
      opts.timeout = Number(value());
      if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) throw new Error(`--timeout: expected a positive number of seconds\n${usage}`);
    } else if (a === "--out") opts.out = resolve(value());
    else if (a.startsWith("--") && flags.includes(a.slice(2))) opts[camel(a.slice(2))] = true;
    else if (a === "--help" || a === "-h") { console.log(usage); process.exit(0); }
    else throw new Error(`unknown option ${a}\n${usage}`);
  }
  return opts;
}

/** The notebooks a runner works on (all, or those whose name starts with --only), once the machinery is set up. */
export function selectNotebooks(opts) {
  const problem = setupProblem();
  if (problem) throw new Error(`the notebook machinery is not set up (${problem}): run  npm run setup  first`);
  const all = readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb")).sort();
  const chosen = opts.only ? all.filter((f) => f.startsWith(opts.only)) : all;
  if (chosen.length === 0) throw new Error(`no notebook in ${NOTEBOOK_DIR} matches ${opts.only ? `--only ${opts.only}` : "*.ipynb"}`);
  return chosen;
}
