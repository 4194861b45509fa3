import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fingerprint, writeJsonAtomic } from "../../util/index";

/**
 * On-disk cache of judgements: one JSON file per (prompt, response, judge) fingerprint, written atomically so
 * that an interrupted run never leaves a half-written judgement and a rerun only asks for what is missing.
 */
export interface Judgement { score: number; reply: string; judge: string }

export class JudgementCache {
  constructor(readonly dir: string) {}

  key(prompt: string, response: string, judge: string): string {
    return fingerprint({ prompt, response, judge });
  }

  get(key: string): Judgement | null {
    const file = join(this.dir, `${key}.json`);
    if (!existsSync(file)) return null;
    const j = JSON.parse(readFileSync(file, "utf8")) as Judgement;
    if (typeof j.score !== "number") throw new Error(`${file}: cached judgement has no numeric 'score'`);
    return j;
  }

  set(key: string, j: Judgement): void {
    writeJsonAtomic(join(this.dir, `${key}.json`), j);
  }
}
