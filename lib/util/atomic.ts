import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

let counter = 0;

/**
 * Create a folder and its missing parents, one level at a time, with an error naming the folder. (Node's
 * `mkdirSync(p, { recursive: true })` loops forever where a parent cannot hold folders, e.g. under /proc.)
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (existsSync(at) && !statSync(at).isDirectory()) throw new Error(`${dir}: cannot create the folder: ${at} is a file, not a folder`);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== "EEXIST") throw new Error(`${dir}: cannot create the folder ${d} (${err.code ?? err.message})`);
    }
  }
}

/** The target of a file write must not be a folder (renaming onto one fails only after the temp file is written). */
export function checkFileTarget(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`${path}: is a folder; expected a file path to write`);
}

/** Write a file so that readers see either the old content or the whole new one: temp file, then rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFilesAtomic([{ path, data }]);
}

/**
 * Write several files as one output: every target is checked and every temp file written before the first
 * rename, so a failure (a target that is a folder, a full disk) leaves none of them changed.
 */
export function writeFilesAtomic(files: readonly { path: string; data: string | Uint8Array }[]): void {
  for (const f of files) checkFileTarget(f.path);
  const temps: string[] = [];
  try {
    for (const f of files) {
      ensureDir(dirname(f.path));
      const tmp = `${f.path}.tmp-${process.pid}-${counter++}`;
      temps.push(tmp);
      writeFileSync(tmp, f.data);
    }
    files.forEach((f, i) => renameSync(temps[i], f.path));
  } catch (err) {
    for (const t of temps) rmSync(t, { force: true });
    throw err;
  }
}

export const jsonText = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";

export const writeJsonAtomic = (path: string, value: unknown): void => writeFileAtomic(path, jsonText(value));

/** JSON Lines, one value per line, written atomically. */
export const writeJsonlAtomic = (path: string, rows: readonly unknown[]): void =>
  writeFileAtomic(path, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
