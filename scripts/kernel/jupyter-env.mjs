// Where the project's Jupyter pieces live, shared by scripts/setup.mjs, scripts/lab.mjs and scripts/notebooks.mjs.
// Everything is inside the repository (git-ignored): nothing is installed into the user's ~/.local or ~/.jupyter.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VENV = join(ROOT, ".venv");
export const VENV_BIN = join(VENV, "bin");
export const VENV_PYTHON = join(VENV_BIN, "python");
export const JUPYTER = join(VENV_BIN, "jupyter");
/** `tslab install --prefix` target; kernelspecs land in <prefix>/share/jupyter/kernels/<name>/kernel.json. */
export const JUPYTER_PREFIX = join(ROOT, ".jupyter");
export const JUPYTER_PATH = join(JUPYTER_PREFIX, "share", "jupyter");
export const KERNEL_LAUNCHER = join(ROOT, "scripts", "kernel", "tslab-kernel.sh");
export const KERNEL_NAMES = ["tslab", "jslab"];
export const NOTEBOOK_DIR = join(ROOT, "notebooks");
export const kernelJsonPath = (name) => join(JUPYTER_PATH, "kernels", name, "kernel.json");

/** The environment for every jupyter command: our kernelspecs first, the venv's binaries on PATH. */
export function jupyterEnv(base = process.env) {
  const path = base.JUPYTER_PATH ? `${JUPYTER_PATH}:${base.JUPYTER_PATH}` : JUPYTER_PATH;
  return { ...base, JUPYTER_PATH: path, PATH: `${VENV_BIN}:${base.PATH ?? ""}`, STEERSYNTH_ROOT: ROOT };
}

/**
 * Why the notebook machinery cannot run yet (null when it can): the venv's jupyter or the tslab kernelspec
 * registered through the launcher is missing.
 */
export function setupProblem() {
  if (!existsSync(JUPYTER)) return `${JUPYTER} not found`;
  const spec = kernelJsonPath("tslab");
  if (!existsSync(spec)) return `the tslab kernelspec ${spec} is missing`;
  const argv0 = JSON.parse(readFileSync(spec, "utf8")).argv?.[0];
  if (argv0 !== KERNEL_LAUNCHER) return `${spec} starts '${argv0}' instead of the launcher ${KERNEL_LAUNCHER}`;
  return null;
}
