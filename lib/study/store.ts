import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { fingerprint } from "../util/fingerprint";

/**
 * The artefact store: every stage's output is a file under <root>/<stage>/<key>.<ext>, where key is the content
 * fingerprint of everything that determines it (inputs, settings, code version). Files are written atomically
 * (temp + rename), so after any interruption — even kill -9 — a file either exists whole or not at all, and a
 * rerun recomputes only what is missing.
 */
export class ArtefactStore {
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  path(stage: string, key: string, ext: string): string {
    return join(this.root, stage, `${key}.${ext}`);
  }

  /** The cached JSON value for (stage, inputs), or computed, stored, and returned. */
  async json<T>(stage: string, inputs: unknown, compute: () => Promise<T> | T): Promise<T> {
    const file = this.path(stage, fingerprint(inputs), "json");
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).value as T;
    const value = await compute();
    writeFileAtomic(file, JSON.stringify({ inputs, value }));
    return value;
  }

  /** The cached binary artefact for (stage, inputs): the compute function writes to the path it is given. */
  async file(stage: string, inputs: unknown, ext: string, write: (tmpPath: string) => Promise<void>): Promise<string> {
    const file = this.path(stage, fingerprint(inputs), ext);
    if (existsSync(file)) return file;
    mkdirSync(join(this.root, stage), { recursive: true });
    const tmp = `${file}.partial-${process.pid}`;
    try {
      await write(tmp);
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
    return file;
  }

  has(stage: string, inputs: unknown, ext = "json"): boolean {
    return existsSync(this.path(stage, fingerprint(inputs), ext));
  }

  /** Remove leftovers of interrupted writes (temp files never become artefacts). */
  sweep(): number {
    let removed = 0;
    if (!existsSync(this.root)) return 0;
    for (const stage of readdirSync(this.root, { withFileTypes: true })) {
      if (!stage.isDirectory()) continue;
      for (const f of readdirSync(join(this.root, stage.name)))
        if (f.includes(".tmp-") || f.includes(".partial-")) { rmSync(join(this.root, stage.name, f), { force: true }); removed++; }
    }
    return removed;
  }
}
