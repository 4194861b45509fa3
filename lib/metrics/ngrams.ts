/**
 * n-gram counting shared by the lexical metrics. Tokens are interned to integer ids so that an n-gram key is a
 * short string of ids ("12,7,3"): exact (no hashing collisions) and cheap to compare across responses.
 */
export const MAX_ORDER = 4;
export const ORDERS = [1, 2, 3, 4] as const;

/** Token → id table shared by all responses of one computation. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  encode(tokens: readonly string[]): number[] {
    return tokens.map((t) => {
      let id = this.ids.get(t);
      if (id === undefined) { id = this.ids.size; this.ids.set(t, id); }
      return id;
    });
  }
}

/** The n-grams of one sequence in order (a sequence of length L has max(0, L - n + 1) of them). */
export function ngramKeys(ids: readonly number[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= ids.length; i++) {
    let key = String(ids[i]);
    for (let k = 1; k < n; k++) key += "," + ids[i + k];
    out.push(key);
  }
  return out;
}

/** Count map of the n-grams of one sequence. */
export function ngramCounts(ids: readonly number[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of ngramKeys(ids, n)) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Sum of the values of a count map. */
export function total(counts: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const c of counts.values()) s += c;
  return s;
}
