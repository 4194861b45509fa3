import type { Judge, JudgeItem } from "./types";

/**
 * A judge that remembers the scores of its last call. The study scores a batch for success and then for
 * coherence, whose per-class reference asks the same success judge about the same texts again: with this
 * wrapper the second call costs nothing. Only the last call is kept, so memory stays one batch.
 */
export function rememberLast(judge: Judge): Judge {
  let last = new Map<string, number>();
  const key = (it: JudgeItem) => `${it.user ?? ""}\u0000${it.response}`;
  return {
    id: judge.id,
    async score(items) {
      const missing = items.filter((it) => !last.has(key(it)));
      const fresh = missing.length ? await judge.score(missing) : [];
      const known = new Map(missing.map((it, i) => [key(it), fresh[i]] as const));
      const out = items.map((it) => known.get(key(it)) ?? last.get(key(it))!);
      last = new Map(items.map((it, i) => [key(it), out[i]] as const));
      return out;
    },
  };
}
