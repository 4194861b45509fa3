import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureDir, fingerprint, repoRoot, writeFileAtomic } from "../util/index";

/** A file's size, modification time and inode: changes when it is rewritten (the graph cache keys on the same). */
export function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return "missing";
  }
}

/** Marks kept at most (the oldest go first): one per checkpoint file, and tests write many throwaway ones. */
const MAX_MARKS = 1000;

/**
 * Whether a checkpoint file was found finite before, so a load need not read every stored value again (an 8B
 * checkpoint: 16 GB read and checked, 4–5 s of each start; the 31M one of `npm run bench cli`: ~0.1 s of a 1 s
 * command). One empty file per checked file in `.cache/finite/`, named by the fingerprint of its absolute path and
 * stamp as it was *before* the check (a file rewritten meanwhile is checked again on its next load), written after
 * every tensor of the file passed.
 */
export function finiteMark(file: string): { known: boolean; remember(): void } {
  const dir = join(repoRoot(), ".cache", "finite");
  const mark = join(dir, fingerprint({ file: resolve(file), stamp: fileStamp(file) }));
  return {
    known: existsSync(mark),
    remember() {
      ensureDir(dir);
      writeFileAtomic(mark, "");
      const marks = readdirSync(dir).filter((f) => !f.includes(".tmp"));
      if (marks.length <= MAX_MARKS) return;
      const byAge = marks.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
      for (const { f } of byAge.slice(0, marks.length - MAX_MARKS)) rmSync(join(dir, f), { force: true });
    },
  };
}
