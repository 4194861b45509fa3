import { ngramCounts, total } from "./ngrams";

/**
 * Lexical diversity of token sequences (ids from a shared Vocabulary; see tokenize.ts / ngrams.ts).
 *
 * Quirk choice: the denominator of distinct-n is the number of n-grams (L - n + 1), not the number of tokens L
 * (the `distinct_n` package of neural-dialogue-metrics divides by L, which caps distinct-4 of a 4-token text
 * at 1/4). A response with no n-grams of order n has distinct-n = 0 (no evidence of diversity, stated, not NaN).
 */
export function distinctN(ids: readonly number[], n: number): number {
  const counts = ngramCounts(ids, n);
  const all = total(counts);
  return all === 0 ? 0 : counts.size / all;
}

/**
 * Corpus distinct-n: unique n-grams over total n-grams of a set, with n-grams taken inside each response (never
 * across the boundary of two responses — the `diversity` package's ngram_diversity_score joins responses with
 * spaces first, which creates n-grams spanning two responses). 0 when the set has no n-grams of order n.
 */
export function corpusDistinctN(seqs: readonly (readonly number[])[], n: number): number {
  const unique = new Set<string>();
  let all = 0;
  for (const ids of seqs) {
    const counts = ngramCounts(ids, n);
    all += total(counts);
    for (const key of counts.keys()) unique.add(key);
  }
  return all === 0 ? 0 : unique.size / all;
}

/**
 * Local repetition rate (Welleck et al. 2019, "rep/w"): the fraction of tokens that already occurred among the
 * `window` tokens before them. Catches the loops that strong steering causes, which distinct-n over a whole
 * response dilutes. 0 for an empty response.
 */
export function repetitionRate(ids: readonly number[], window = 16): number {
  if (!(Number.isInteger(window) && window >= 1)) throw new Error(`repetitionRate: window must be an integer ≥ 1, got ${window}`);
  if (ids.length === 0) return 0;
  let repeats = 0;
  for (let t = 1; t < ids.length; t++) {
    for (let k = Math.max(0, t - window); k < t; k++) {
      if (ids[k] === ids[t]) { repeats++; break; }
    }
  }
  return repeats / ids.length;
}

/** Shannon entropy (nats) of the n-gram frequency distribution of one response; 0 when it has no n-grams. */
export function ngramEntropy(ids: readonly number[], n: number): number {
  const counts = ngramCounts(ids, n);
  const all = total(counts);
  let h = 0;
  for (const c of counts.values()) h -= (c / all) * Math.log(c / all);
  return h;
}
