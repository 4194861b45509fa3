// JupyterLab settings for this project's lab (inside .venv/, so nothing lands in the user's ~/.jupyter), written by
// `npm run lab` and the browser test before JupyterLab starts; idempotent.
//   - The debugger extension is disabled: tslab has no debug adapter, yet JupyterLab 4 shows the (greyed-out) bug
//     toggle on every notebook whatever the kernelspec says; disabling the extension removes it.
//   - News fetching is off: the project runs offline, and the news prompt covers the notebook's corner.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { VENV } from "./jupyter-env.mjs";

export const PAGE_CONFIG = join(VENV, "etc", "jupyter", "labconfig", "page_config.json");
export const LAB_OVERRIDES = join(VENV, "share", "jupyter", "lab", "settings", "overrides.d", "steersynth.json");

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {});
function writeJsonIfChanged(file, value) {
  const text = JSON.stringify(value, null, 2) + "\n";
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

export function writeLabConfig() {
  const page = readJson(PAGE_CONFIG);
  page.disabledExtensions = { ...(page.disabledExtensions ?? {}), "@jupyterlab/debugger-extension": true };
  writeJsonIfChanged(PAGE_CONFIG, page);
  writeJsonIfChanged(LAB_OVERRIDES, { "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false } });
}
