import { deriveSeed, type Rng } from "../util/index";
import type { Generation } from "./types";
import type { TextTokenizer } from "../checkpoint/index";

/**
 * Next-token choice from one row of logits, shared by every decoder (the naive reference and the ONNX engine)
 * so that the same seed gives the same token whatever engine produced the logits.
 * Semantics follow Hugging Face's warpers, applied in their order: temperature → top-k → top-p.
 */
export interface TokenSamplingOptions {
  /** 0 = greedy. Undefined means greedy unless topK/topP ask for sampling (then 1). */
  temperature?: number;
  /** Keep the k most likely tokens (0 or undefined = no limit). Ties at the boundary go to the lower index. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability mass is ≥ topP (at least one token). */
  topP?: number;
}

/** Whether these options pick the argmax (no randomness consumed). */
export const isGreedy = (opts: TokenSamplingOptions): boolean =>
  opts.temperature === 0 || (opts.temperature === undefined && !opts.topK && (opts.topP === undefined || opts.topP >= 1));

/** Checks the options whether or not they end up greedy (a bad top-p is an error even at temperature 0). */
export function validateSampling(opts: TokenSamplingOptions): void {
  const { temperature: t, topK: k, topP: p } = opts;
  if (t !== undefined && !(Number.isFinite(t) && t >= 0)) throw new Error(`sampling: temperature must be a finite number ≥ 0 (got ${t})`);
  if (k !== undefined && !(Number.isInteger(k) && k >= 0)) throw new Error(`sampling: topK must be an integer ≥ 0 (got ${k})`);
  if (p !== undefined && !(p > 0 && p <= 1)) throw new Error(`sampling: topP must be in (0, 1] (got ${p})`);
}

/** Index of the largest logit; the lowest index wins ties. */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Descending by logit, ascending index on ties: a deterministic order, so the draw below is reproducible. */
const byLogitDesc = (logits: Float32Array) => (a: number, b: number): number => logits[b] - logits[a] || a - b;

/** The k best token ids, most likely first (ties at the boundary go to the lower index). */
function topKIds(logits: Float32Array, k: number): Int32Array {
  // The k-th largest value by a native numeric sort of a copy (fast), then only the ids at or above it are sorted.
  const kth = Float32Array.from(logits).sort()[logits.length - k];
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) if (logits[i] >= kth) ids.push(i);
  return Int32Array.from(ids.sort(byLogitDesc(logits)).slice(0, k));
}

/**
 * The tokens that survive top-k and top-p with their unnormalised probabilities exp((logit − max) / T), in the
 * order the draw walks them: most likely first when top-k or top-p applies, token-id order otherwise.
 * Exported so tests can check the cut against hand-computed cases.
 */
export function samplingSupport(logits: Float32Array, opts: TokenSamplingOptions): { ids: Int32Array; weights: Float64Array } {
  validateSampling(opts);
  const temperature = opts.temperature ?? 1;
  if (temperature === 0) return { ids: Int32Array.of(argmax(logits)), weights: Float64Array.of(1) };
  // One pass for the NaN check and the argmax (the lowest index wins ties, as in argmax()).
  let best = 0;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i];
    if (Number.isNaN(x)) throw new Error(`sampling: logit ${i} is NaN`);
    if (x > logits[best]) best = i;
  }
  const top = logits[best] / temperature;
  let ids: Int32Array;
  if (opts.topK && opts.topK < logits.length) ids = topKIds(logits, opts.topK);
  else {
    ids = new Int32Array(logits.length);
    for (let i = 0; i < ids.length; i++) ids[i] = i;
  }
  // softmax numerators exp((logit − max) / T) of the ids, in float64
  let weights = new Float64Array(ids.length);
  let total = 0;
  for (let r = 0; r < ids.length; r++) total += weights[r] = Math.exp(logits[ids[r]] / temperature - top);
  const p = opts.topP ?? 1;
  if (p < 1) {
    // Tokens lighter than ε = (1 − p)·total/n hold less than (1 − p)·total together, so the nucleus lies among
    // the heavier ones: only those need sorting (exact, not an approximation).
    const eps = ((1 - p) * total) / ids.length;
    let n = 0;
    for (let r = 0; r < ids.length; r++) if (weights[r] >= eps) n++;
    const heavy = new Int32Array(n);
    n = 0;
    for (let r = 0; r < ids.length; r++) if (weights[r] >= eps) heavy[n++] = ids[r];
    ids = heavy.sort(byLogitDesc(logits));
    // Keep token r while the mass strictly before it is < p (HF: remove where ascending cumsum ≤ 1 − p); the first
    // token is always kept (nothing comes before it, and the heavy set holds the argmax, weight 1 ≥ ε).
    const kept: number[] = [];
    let before = 0;
    while (kept.length < ids.length && before < p * total) {
      const w = Math.exp(logits[ids[kept.length]] / temperature - top);
      kept.push(w);
      before += w;
    }
    ids = ids.subarray(0, kept.length);
    weights = Float64Array.from(kept);
  }
  return { ids, weights };
}

/** Choose the next token from logits [V]: greedy argmax or a draw from the warped softmax with rng.next(). */
export function sampleToken(logits: Float32Array, opts: TokenSamplingOptions, rng: Rng): number {
  if (logits.length === 0) throw new Error("sampling: empty logits row");
  validateSampling(opts);
  if (isGreedy(opts)) return argmax(logits);
  const { ids, weights } = samplingSupport(logits, opts);
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let r = 0; r < ids.length; r++) {
    u -= weights[r];
    if (u < 0) return ids[r];
  }
  return ids[ids.length - 1]; // u landed on the rounding slack at the very end of the cumulative sum
}

/**
 * One seed per sample: the explicit `seeds` or deriveSeed(seed, "sample", index), so a sample's randomness
 * depends on its index among all prompts and its seed — never on how prompts were batched.
 */
export function perSampleSeeds(n: number, opts: { seed?: number; seeds?: readonly number[] }): number[] {
  if (opts.seeds !== undefined) {
    if (opts.seeds.length !== n) throw new Error(`sampling: seeds has ${opts.seeds.length} entries but there are ${n} prompts`);
    return opts.seeds.slice();
  }
  if (opts.seed === undefined) throw new Error("sampling: a seed (or one seed per prompt in seeds) is required to sample");
  return Array.from({ length: n }, (_, i) => deriveSeed(opts.seed!, "sample", i));
}

/** If the decoded text contains a stop string, cut the text before the earliest one and mark the sample stopped. */
export function cutAtStop(g: Generation, tokenizer: TextTokenizer, stop: readonly string[]): boolean {
  const text = tokenizer.decode(g.ids, { skipSpecialTokens: true });
  const at = Math.min(...stop.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  if (!Number.isFinite(at)) return false;
  g.text = text.slice(0, at);
  g.finish = "stop";
  return true;
}
