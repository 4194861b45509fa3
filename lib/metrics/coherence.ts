import type { Engine } from "../engine/index";
import { logSoftmaxAt } from "../math/index";
import { progress } from "../util/index";

/** A prompt and the response to score, as token ids of the reference model. */
export interface ScoredText { promptIds: number[]; responseIds: number[] }

/**
 * Negative log-likelihood (nats) of every response token under the engine's model, given its prompt: each
 * response token from the logits at the position before it. Needs a non-empty prompt (at least a BOS token),
 * since the first response token needs a context; an empty response is an error.
 */
export async function responseTokenNll(engine: Engine, items: readonly ScoredText[], opts: { batchSize?: number; label?: string } = {}): Promise<Float64Array[]> {
  const batchSize = opts.batchSize ?? 4;
  const V = engine.model.spec.vocabSize;
  items.forEach((it, i) => {
    if (it.promptIds.length === 0) throw new Error(`perplexity: item ${i} has an empty prompt (prepend at least BOS)`);
    if (it.responseIds.length === 0) throw new Error(`perplexity: item ${i} has an empty response`);
  });
  const out = new Array<Float64Array>(items.length);
  const bar = progress(opts.label ?? "perplexity", items.length);
  try {
    for (let start = 0; start < items.length; start += batchSize) {
      const batch = items.slice(start, start + batchSize);
      const res = await engine.forward(batch.map((it) => [...it.promptIds, ...it.responseIds]), { logits: "all" });
      const T = res.seqLen;
      batch.forEach((it, b) => {
        const P = it.promptIds.length;
        out[start + b] = Float64Array.from(it.responseIds, (tok, r) => {
          const at = (b * T + res.pad[b] + P + r - 1) * V; // logits row predicting response token r
          return -logSoftmaxAt(res.logits.subarray(at, at + V), tok);
        });
      });
      bar.tick(batch.length);
    }
  } finally {
    bar.done();
  }
  return out;
}

/** Mean negative log-likelihood (nats per token) of each response given its prompt (responseTokenNll averaged). */
export async function responseNll(engine: Engine, items: readonly ScoredText[], opts: { batchSize?: number } = {}): Promise<number[]> {
  return (await responseTokenNll(engine, items, opts)).map((t) => t.reduce((s, x) => s + x, 0) / t.length);
}

/**
 * Coherence from perplexity: c = 1 / (1 + max(0, ln(ppl / pplRef))), in (0, 1].
 * pplRef is the reference model's perplexity on reference (compliant, human-quality) responses. A response at
 * least as predictable as the reference text scores 1; each factor of e above it lowers the score along
 * 1/2, 1/3, ... — monotone decreasing in ppl, parameter-free, and never exactly 0, so one garbled response
 * cannot zero a harmonic mean by itself.
 * Caveat (why the LLM-judge route exists too): degenerate repetition loops are *more* predictable than normal
 * text, so they score as coherent here; the repetition rate and distinct-n catch them on the diversity axis.
 */
export function coherenceFromPerplexity(ppl: number, pplRef: number): number {
  if (!(ppl > 0) || !(pplRef > 0)) throw new Error(`coherence: perplexities must be positive, got ppl=${ppl}, pplRef=${pplRef}`);
  return 1 / (1 + Math.max(0, Math.log(ppl / pplRef)));
}

/** Perplexity of a set pooled over tokens: exp(Σ token NLL / Σ tokens) (the reference for calibration). */
export async function pooledPerplexity(engine: Engine, items: readonly ScoredText[], opts: { batchSize?: number } = {}): Promise<number> {
  const nll = await responseNll(engine, items, opts);
  let sum = 0, tokens = 0;
  nll.forEach((x, i) => { sum += x * items[i].responseIds.length; tokens += items[i].responseIds.length; });
  return Math.exp(sum / tokens);
}

/** Per-response perplexity-based coherence, calibrated against pplRef. */
export async function perplexityCoherence(engine: Engine, items: readonly ScoredText[], pplRef: number, opts: { batchSize?: number } = {}): Promise<number[]> {
  return (await responseNll(engine, items, opts)).map((nll) => coherenceFromPerplexity(Math.exp(nll), pplRef));
}
