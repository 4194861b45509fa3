import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, type ArtefactCache, fingerprint } from "../util/index";

/**
 * The artefact store: every stage's output is a file under <root>/<stage>/<key>.<ext>, where key is the content
 * fingerprint of everything that determines it (inputs, settings, code version). Files are written atomically
 * (temp + rename), so after any interruption — even kill -9 — a file either exists whole or not at all, and a
 * rerun recomputes only what is missing. Several processes (shards) may share one store: two that compute the
 * same artefact write the same content, and the last rename wins.
 */
export interface StoreCounts {
  /** Artefacts found on disk and reused. */
  reused: Record<string, number>;
  /** Artefacts computed and written by this process. */
  computed: Record<string, number>;
}

/** A temp file younger than this may belong to a live writer (another shard): sweep leaves it alone. */
export const SWEEP_MIN_AGE_MS = 15 * 60 * 1000;

export class ArtefactStore implements ArtefactCache {
  readonly counts: StoreCounts = { reused: {}, computed: {} };

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  path(stage: string, key: string, ext: string): string {
    return join(this.root, stage, `${key}.${ext}`);
  }

  private count(kind: keyof StoreCounts, stage: string): void {
    this.counts[kind][stage] = (this.counts[kind][stage] ?? 0) + 1;
  }

  /** The cached JSON value for (stage, inputs), or computed, stored, and returned. */
  async json<T>(stage: string, inputs: unknown, compute: () => Promise<T> | T): Promise<T> {
    const file = this.path(stage, fingerprint(inputs), "json");
    if (existsSync(file)) {
      this.count("reused", stage);
      return this.read<T>(file);
    }
    const text = JSON.stringify({ inputs, value: await compute() });
    writeFileAtomic(file, text);
    this.count("computed", stage);
    // Return what a later run will read (NaN → null, undefined fields dropped), so a fresh and a resumed
    // run see identical values.
    return JSON.parse(text).value as T;
  }

  /** The stored JSON value for (stage, inputs); an error when it is missing. */
  get<T>(stage: string, inputs: unknown): T {
    const file = this.path(stage, fingerprint(inputs), "json");
    if (!existsSync(file)) throw new Error(`${file}: artefact '${stage}' is missing`);
    return this.read<T>(file);
  }

  private read<T>(file: string): T {
    try {
      return JSON.parse(readFileSync(file, "utf8")).value as T;
    } catch (e) {
      throw new Error(`${file}: unreadable artefact (${(e as Error).message}); delete it to recompute`);
    }
  }

  /**
   * The cached binary artefact for (stage, inputs): the compute function writes to the path it is given. Files it
   * writes beside it under the same temp name with another extension (saveVector's V.json provenance) are kept
   * as companions: renamed to the artefact's name with their extension, before the artefact itself, so an
   * artefact on disk always has its companions.
   */
  async file(stage: string, inputs: unknown, ext: string, write: (tmpPath: string) => Promise<void>): Promise<string> {
    const key = fingerprint(inputs);
    const file = this.path(stage, key, ext);
    if (existsSync(file)) {
      this.count("reused", stage);
      return file;
    }
    mkdirSync(join(this.root, stage), { recursive: true });
    // The temp name keeps the extension: some writers insist on it (saveVector needs .safetensors).
    const tmpBase = `${key}.partial-${process.pid}`;
    const tmp = this.path(stage, tmpBase, ext);
    const companions = () => readdirSync(join(this.root, stage)).filter((f) => f.startsWith(`${tmpBase}.`) && f !== `${tmpBase}.${ext}`);
    try {
      await write(tmp);
      for (const c of companions()) renameSync(join(this.root, stage, c), join(this.root, stage, key + c.slice(tmpBase.length)));
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
      for (const c of companions()) rmSync(join(this.root, stage, c), { force: true });
    }
    this.count("computed", stage);
    return file;
  }

  has(stage: string, inputs: unknown, ext = "json"): boolean {
    return existsSync(this.path(stage, fingerprint(inputs), ext));
  }

  /**
   * Remove leftovers of interrupted writes (temp files never become artefacts). Only files untouched for
   * `minAgeMs` go: a younger one may be a concurrent shard's write in flight (an age rule, not a pid check,
   * because shards of a Slurm array may run on other hosts sharing the folder).
   */
  sweep(minAgeMs = SWEEP_MIN_AGE_MS): number {
    let removed = 0;
    if (!existsSync(this.root)) return 0;
    const now = Date.now();
    for (const stage of readdirSync(this.root, { withFileTypes: true })) {
      if (!stage.isDirectory()) continue;
      for (const f of readdirSync(join(this.root, stage.name))) {
        if (!f.includes(".tmp-") && !f.includes(".partial-")) continue;
        const file = join(this.root, stage.name, f);
        let age: number;
        try {
          age = now - statSync(file).mtimeMs;
        } catch {
          continue; // renamed or removed by its writer meanwhile
        }
        if (age >= minAgeMs) { rmSync(file, { force: true }); removed++; }
      }
    }
    return removed;
  }
}
