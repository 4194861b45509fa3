import { type Engine, type EncodedText, type ForwardResult, tokenLogprob } from "../engine/index";
import type { EncodedPair } from "./dataset";
import { lowerSpec, type SteeringSpec } from "./spec";
import type { SteeringVector } from "./vector";

/**
 * The teacher-forced steering effect: how a steering spec moves the concept's log-likelihood ratio
 *   r = log p(positive response | prompt) − log p(negative response | prompt)
 * averaged over contrast pairs. No sampling and no judge, so it is exact and cheap: one forward per sequence
 * and strength. It measures what steering is for (making the violating reply likelier than the compliant one);
 * probe accuracy only measures where the concept is readable, and on small models every layer reads it ~perfectly
 * while steering works at some layers only (measured on the default models: README "Choosing a layer").
 */

/** log p(response tokens | preceding tokens) of sample b of a forward with logits "targets". */
export function responseLogProb(res: ForwardResult, b: number, text: EncodedText): number {
  let s = 0;
  for (let p = text.responseStart; p < text.responseEnd; p++) s += tokenLogprob(res, b, p);
  return s;
}

export interface RatioOptions {
  /** Sequences per forward (onnxruntime holds [batch, T, V] logits inside: keep it small for big vocabularies). Default 16. */
  batchSize?: number;
}

/**
 * Mean log-likelihood ratio over pairs at each strength (α multiplies every term's strength; α = 0 is unsteered).
 * Returns one number per strength, in the order given.
 */
export async function pairLogRatios(engine: Engine, pairs: readonly EncodedPair[], spec: SteeringSpec, strengths: readonly number[], opts: RatioOptions = {}): Promise<number[]> {
  const rows = await pairLogRatioRows(engine, pairs, spec, strengths, opts);
  return rows.map((r) => r.reduce((a, b) => a + b, 0) / pairs.length);
}

/**
 * The log-likelihood ratio of every pair at each strength: [strength][pair], for paired tests across strengths
 * (each pair is its own control, so the pair-to-pair spread of r, often tens of nats, cancels).
 */
export async function pairLogRatioRows(engine: Engine, pairs: readonly EncodedPair[], spec: SteeringSpec, strengths: readonly number[], opts: RatioOptions = {}): Promise<number[][]> {
  if (pairs.length === 0) throw new Error("pairLogRatios: no pairs");
  for (const p of pairs)
    if (!(p.positive.responseStart >= 1 && p.negative.responseStart >= 1))
      throw new Error("pairLogRatios: every side needs a prompt token before its response (responseStart ≥ 1)");
  // (pair, side, strength) cells; sign +1 for positives, −1 for negatives.
  const cells = pairs.flatMap((pair, j) => strengths.flatMap((_, k) => [
    { text: pair.positive, j, k, sign: 1 }, { text: pair.negative, j, k, sign: -1 },
  ]));
  // Batches of similar length: a batch is padded to its longest text, so mixed lengths waste compute.
  cells.sort((a, b) => a.text.ids.length - b.text.ids.length);
  const rows = strengths.map(() => new Array<number>(pairs.length).fill(0));
  const batch = opts.batchSize ?? 16;
  for (let i = 0; i < cells.length; i += batch) {
    const chunk = cells.slice(i, i + batch);
    const steering = lowerSpec(spec, chunk.map((c) => strengths[c.k]));
    // The response starts where generation would: window "generated" steers the response tokens, "prompt" the rest.
    const promptLengths = chunk.map((c) => c.text.responseStart);
    const out = await engine.forward(chunk.map((c) => c.text.ids), { steering, logits: "targets", promptLengths });
    chunk.forEach((c, b) => { rows[c.k][c.j] += c.sign * responseLogProb(out, b, c.text); });
  }
  return rows;
}

/** A layer's steering effect at ±α: raise = r(+α) − r(0), lower = r(0) − r(−α); both > 0 when steering works. */
export interface LayerEffect {
  layer: number;
  raise: number;
  lower: number;
}

export interface LayerEffectOptions extends RatioOptions {
  /** Strength in the vector's units (resid_post: multiples of the layer's typical norm). */
  alpha: number;
  /** Default "all": the spec window that teacher forcing sees (prompt and response). */
  window?: SteeringSpec["window"];
}

/** The effect of the vector at each of its layers alone (one layer steered at a time). */
export async function layerEffects(engine: Engine, vector: SteeringVector, pairs: readonly EncodedPair[], opts: LayerEffectOptions): Promise<LayerEffect[]> {
  if (!(opts.alpha > 0)) throw new Error(`layerEffects: alpha must be > 0 (got ${opts.alpha})`);
  const out: LayerEffect[] = [];
  for (const layer of [...vector.directions.keys()].sort((a, b) => a - b)) {
    const spec: SteeringSpec = { terms: [{ vector, layers: [layer] }], window: opts.window ?? "all" };
    const [minus, zero, plus] = await pairLogRatios(engine, pairs, spec, [-opts.alpha, 0, opts.alpha], opts);
    out.push({ layer, raise: plus - zero, lower: zero - minus });
  }
  return out;
}

/**
 * The layer where steering works best in both directions: the largest min(raise, lower), ties broken by the
 * larger raise + lower, then the lower layer. A layer where one sign backfires has min < 0 and loses to any
 * layer where both signs work.
 */
export function steerableLayer(effects: readonly LayerEffect[]): number {
  if (effects.length === 0) throw new Error("steerableLayer: no layer effects");
  const key = (e: LayerEffect) => Math.min(e.raise, e.lower);
  return [...effects].sort((p, q) => key(q) - key(p) || (q.raise + q.lower) - (p.raise + p.lower) || p.layer - q.layer)[0].layer;
}
