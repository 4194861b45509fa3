import { ngramCounts, ORDERS } from "./ngrams";
import { progress } from "../util/index";

/**
 * BLEU-4 as NLTK's `sentence_bleu(references, hypothesis, weights=(0.25,)*4,
 * smoothing_function=SmoothingFunction().method1)`:
 * - modified precision p_n = Σ min(count_hyp(g), max_ref count_ref(g)) / max(1, Σ count_hyp(g));
 * - 0 when no unigram matches (NLTK returns 0 before smoothing);
 * - method1 (Chen & Cherry 2014): a p_n with zero matches becomes ε / denominator, ε = 0.1;
 * - brevity penalty with the reference length closest to the hypothesis length (ties → the shorter one):
 *   1 if c > r, 0 if c = 0, else exp(1 − r/c);
 * - BLEU = BP · exp(Σ_n ¼ log p_n).
 */
const EPSILON = 0.1;

/** What the BLEU core needs about one hypothesis; `maxRef(n, key)` = the largest count of the n-gram in any reference. */
interface BleuInputs {
  hyp: Map<string, number>[]; // per order n = 1..4 (index n - 1)
  hypLen: number;
  refLen: number;
  maxRef(n: number, key: string): number;
}

function bleuCore({ hyp, hypLen, refLen, maxRef }: BleuInputs): number {
  let logSum = 0;
  for (const n of ORDERS) {
    let matches = 0, all = 0;
    for (const [key, c] of hyp[n - 1]) {
      all += c;
      matches += Math.min(c, maxRef(n, key));
    }
    if (n === 1 && matches === 0) return 0;
    const denom = Math.max(1, all);
    logSum += 0.25 * Math.log(matches === 0 ? EPSILON / denom : matches / denom);
  }
  return brevityPenalty(refLen, hypLen) * Math.exp(logSum);
}

export const brevityPenalty = (refLen: number, hypLen: number): number =>
  hypLen > refLen ? 1 : hypLen === 0 ? 0 : Math.exp(1 - refLen / hypLen);

/** NLTK's closest_ref_length: the reference length nearest to hypLen, the shorter one on a tie. */
export function closestRefLength(refLens: readonly number[], hypLen: number): number {
  let best = Infinity;
  for (const r of refLens) {
    const d = Math.abs(r - hypLen), bd = Math.abs(best - hypLen);
    if (d < bd || (d === bd && r < best)) best = r;
  }
  return best;
}

const countsByOrder = (ids: readonly number[]): Map<string, number>[] => ORDERS.map((n) => ngramCounts(ids, n));

/** Sentence BLEU-4 with method1 smoothing of one hypothesis against references (token id sequences). */
export function sentenceBleu(refs: readonly (readonly number[])[], hyp: readonly number[]): number {
  if (refs.length === 0) throw new Error("sentenceBleu: needs at least one reference");
  const refCounts = refs.map(countsByOrder);
  return bleuCore({
    hyp: countsByOrder(hyp),
    hypLen: hyp.length,
    refLen: closestRefLength(refs.map((r) => r.length), hyp.length),
    maxRef: (n, key) => refCounts.reduce((m, rc) => Math.max(m, rc[n - 1].get(key) ?? 0), 0),
  });
}

/** Per n-gram, the two largest counts over all responses and the owner of the largest. */
interface TopTwo { first: number; owner: number; second: number }

/**
 * Self-BLEU: the mean over responses of sentenceBleu(all other responses, response). Equal to the naive
 * quadratic definition, computed in O(total n-grams): n-grams are counted once per response, and for each
 * n-gram the top two counts over the set are kept, so "the largest count in any *other* response" is the top
 * count unless the hypothesis owns it, then the second. Needs at least 2 responses.
 */
export function selfBleu(seqs: readonly (readonly number[])[]): number {
  if (seqs.length < 2) throw new Error(`selfBleu: needs at least 2 responses, got ${seqs.length}`);
  const counts = seqs.map(countsByOrder);
  const top = ORDERS.map(() => new Map<string, TopTwo>());
  counts.forEach((byOrder, i) => byOrder.forEach((m, o) => {
    for (const [key, c] of m) {
      const t = top[o].get(key);
      if (!t) top[o].set(key, { first: c, owner: i, second: 0 });
      else if (c > t.first) { t.second = t.first; t.first = c; t.owner = i; }
      else if (c > t.second) t.second = c;
    }
  }));
  // Lengths as a multiset so that the closest *other* length is found without scanning all responses.
  const lengthCount = new Map<number, number>();
  for (const s of seqs) lengthCount.set(s.length, (lengthCount.get(s.length) ?? 0) + 1);
  const lengths = [...lengthCount.keys()].sort((a, b) => a - b);
  const bar = progress("self-BLEU", seqs.length);
  let sum = 0;
  counts.forEach((hyp, i) => {
    const own = seqs[i].length;
    const others = lengthCount.get(own) === 1 ? lengths.filter((l) => l !== own) : lengths;
    sum += bleuCore({
      hyp,
      hypLen: own,
      refLen: closestRefLength(others, own),
      maxRef: (n, key) => {
        const t = top[n - 1].get(key)!;
        return t.owner === i ? t.second : t.first;
      },
    });
    bar.tick();
  });
  bar.done();
  return sum / seqs.length;
}
