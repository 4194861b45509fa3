import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

let counter = 0;

/** Write a file so that readers see either the old content or the whole new one: temp file, then rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${counter++}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export const writeJsonAtomic = (path: string, value: unknown): void =>
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");

/** JSON Lines, one value per line, written atomically. */
export const writeJsonlAtomic = (path: string, rows: readonly unknown[]): void =>
  writeFileAtomic(path, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
