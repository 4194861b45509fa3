import { normalize, project, mean, std, accuracy, fitLogistic, heldOutSplit } from "../../math/index";
import type { EffectScore, FitContext, LayerFit, MethodDescriptor, PairedActivations, SteeringMethod } from "./types";

export interface ItiOptions {
  /** How many heads (over all layers given) to steer. Default 4. */
  topK?: number;
  /**
   * Rank heads by held-out probe accuracy alone, as in the paper. Default false: every head is a candidate and
   * the K kept are those whose own shift (α = effectAlpha) moves the held-out log-likelihood ratio the right way
   * most in both directions. On the default models the probe ranking picked heads whose +α shift *lowered* the
   * ratio (hallucination, both models: lib/train/README.md), since every head reads the concept ~perfectly.
   */
  byAccuracy?: boolean;
  /** Trial strength of the effect ranking, in σ of the head. Default 4. */
  effectAlpha?: number;
  /** Fraction of pairs held out to rank the heads' probes. Default 0.25. */
  heldOut?: number;
  /** L2 penalty of the per-head probes. Default 1e-2. */
  l2?: number;
}

interface HeadScore {
  layer: number;
  head: number;
  accuracy: number;
  /** Held-out mass-mean gap in units of σ: breaks accuracy ties (small held-out sets tie often). */
  gap: number;
}

/** Rows of one head's [headDim] block, for the given pair indices. */
function headRows(m: Float32Array, width: number, head: number, headDim: number, pairs: readonly number[]): Float32Array {
  const out = new Float32Array(pairs.length * headDim);
  pairs.forEach((p, i) => out.set(m.subarray(p * width + head * headDim, p * width + (head + 1) * headDim), i * headDim));
  return out;
}

/** Both sides of one head as probe data: positives (label 1) then negatives (label 0). */
function probeData(acts: PairedActivations, head: number, headDim: number, pairs: readonly number[]) {
  const pos = headRows(acts.positive, acts.width, head, headDim, pairs), neg = headRows(acts.negative, acts.width, head, headDim, pairs);
  const x = new Float32Array(pos.length + neg.length);
  x.set(pos, 0);
  x.set(neg, pos.length);
  const y = Array.from({ length: 2 * pairs.length }, (_, i) => (i < pairs.length ? 1 : 0));
  return { pos, neg, x, y };
}

/** Unit mass-mean direction θ̂ (mean positive − mean negative) and σ of all projections on it. */
function massMean(pos: Float32Array, neg: Float32Array, headDim: number): { theta: Float32Array; sigma: number } {
  const n = pos.length / headDim;
  const diff = new Float64Array(headDim);
  for (let i = 0; i < n; i++) for (let k = 0; k < headDim; k++) diff[k] += (pos[i * headDim + k] - neg[i * headDim + k]) / n;
  const theta = normalize(diff, "iti mass-mean direction");
  return { theta, sigma: std([...project(pos, headDim, theta), ...project(neg, headDim, theta)]) };
}

/**
 * Inference-Time Intervention (Li et al. 2023) at attn_out ([nHeads*headDim], head-major): a logistic probe per
 * head on the training split, heads ranked by held-out probe accuracy, the top K steered. Each chosen head h is
 * shifted along its unit mass-mean direction θ̂_h (computed on all pairs) scaled by σ_h, the standard deviation of
 * the activations' projection on θ̂_h: the vector at strength α adds α·σ_h·θ̂_h to head h, as in the paper.
 */
export function iti(opts: ItiOptions = {}): SteeringMethod {
  const topK = opts.topK ?? 4, heldOut = opts.heldOut ?? 0.25, l2 = opts.l2 ?? 1e-2;
  const byAccuracy = opts.byAccuracy ?? false, effectAlpha = opts.effectAlpha ?? 4;
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`iti: topK must be a positive integer (got ${topK})`);
  if (!(effectAlpha > 0 && Number.isFinite(effectAlpha))) throw new Error(`iti: effectAlpha must be a positive number (got ${effectAlpha})`);
  if (!(heldOut > 0 && heldOut < 1)) throw new Error(`iti: heldOut must be in (0, 1) (got ${heldOut})`);
  return {
    name: "iti", site: "attn_out", options: { topK, heldOut, l2, byAccuracy, effectAlpha },
    fit(all: ReadonlyMap<number, PairedActivations>, ctx: FitContext): Map<number, LayerFit> {
      const { nHeads, headDim } = ctx.model;
      const first = [...all.values()][0];
      if (!first) throw new Error("iti: no layers to fit");
      const n = first.n;
      const { train, val } = heldOutSplit(n, heldOut, ctx.seed);
      const scores: HeadScore[] = [];
      for (const [layer, acts] of all) {
        if (acts.width !== nHeads * headDim) throw new Error(`iti: layer ${layer} activations have width ${acts.width}, expected nHeads*headDim = ${nHeads * headDim} (attn_out)`);
        for (let head = 0; head < nHeads; head++) {
          const tr = probeData(acts, head, headDim, train), va = probeData(acts, head, headDim, val);
          const model = fitLogistic(tr.x, tr.y, headDim, { l2 });
          const { theta, sigma } = massMean(tr.pos, tr.neg, headDim);
          const gap = sigma > 0 ? (mean(project(va.pos, headDim, theta)) - mean(project(va.neg, headDim, theta))) / sigma : 0;
          scores.push({ layer, head, accuracy: accuracy(model, va.x, va.y, headDim), gap });
        }
      }
      scores.sort((a, b) => b.accuracy - a.accuracy || b.gap - a.gap || a.layer - b.layer || a.head - b.head);
      // By effect, every head is a candidate (in probe order) and refine keeps K of them.
      const chosen = byAccuracy ? scores.slice(0, Math.min(topK, scores.length)) : scores;
      const out = new Map<number, LayerFit>();
      const allPairs = Array.from({ length: n }, (_, i) => i);
      for (const s of chosen) {
        const acts = all.get(s.layer)!;
        const { pos, neg } = probeData(acts, s.head, headDim, allPairs);
        const { theta, sigma } = massMean(pos, neg, headDim);
        const fit = out.get(s.layer) ?? { vector: new Float32Array(nHeads * headDim), info: { nHeads, heads: [], sigma: [], headAccuracy: [], ...(byAccuracy ? {} : { probeRank: [] }) } };
        for (let k = 0; k < headDim; k++) fit.vector[s.head * headDim + k] = sigma * theta[k];
        (fit.info.heads as number[]).push(s.head);
        (fit.info.sigma as number[]).push(sigma);
        (fit.info.headAccuracy as number[]).push(s.accuracy);
        // Candidates for refine: their place in the probe ranking across layers (the fits are grouped by layer).
        if (!byAccuracy) (fit.info.probeRank as number[]).push(chosen.indexOf(s));
        out.set(s.layer, fit);
      }
      return out;
    },
    ...(byAccuracy ? {} : { refine: (fits: Map<number, LayerFit>, score: EffectScore | null) => keepStrongestHeads(fits, score, topK, effectAlpha) }),
  };
}

/** One candidate per head: its layer, head, place in the probe ranking and a fit holding only that head's block. */
interface HeadCandidate { layer: number; head: number; probeRank: number; headDim: number; fit: LayerFit }

function singleHeads(fits: ReadonlyMap<number, LayerFit>): HeadCandidate[] {
  const out: HeadCandidate[] = [];
  for (const [layer, f] of fits) {
    const info = f.info;
    const headDim = f.vector.length / (info.nHeads as number);
    (info.heads as number[]).forEach((head, i) => {
      const vector = new Float32Array(f.vector.length);
      vector.set(f.vector.subarray(head * headDim, (head + 1) * headDim), head * headDim);
      const one = { nHeads: info.nHeads, heads: [head], sigma: [(info.sigma as number[])[i]], headAccuracy: [(info.headAccuracy as number[])[i]] };
      out.push({ layer, head, probeRank: (info.probeRank as number[])[i], headDim, fit: { vector, info: one } });
    });
  }
  return out;
}

/**
 * The K heads whose shift alone steers best (ties: the probe ranking), merged back into per-layer fits with each
 * head's effect. Without a measurable effect (score null) every head ties, so the probe ranking decides: the
 * same heads as byAccuracy.
 */
async function keepStrongestHeads(fits: Map<number, LayerFit>, score: EffectScore | null, topK: number, alpha: number): Promise<Map<number, LayerFit>> {
  const heads = singleHeads(fits);
  const effects: number[] = [];
  for (const h of heads) effects.push(score ? await score(new Map([[h.layer, h.fit]]), alpha) : 0);
  const order = heads.map((_, i) => i).sort((a, b) => effects[b] - effects[a] || heads[a].probeRank - heads[b].probeRank).slice(0, topK);
  const out = new Map<number, LayerFit>();
  for (const i of order) {
    const h = heads[i];
    const f = out.get(h.layer) ?? { vector: new Float32Array(h.fit.vector.length), info: { nHeads: h.fit.info.nHeads, heads: [], sigma: [], headAccuracy: [], ...(score ? { headEffect: [] } : {}) } };
    const block = h.head * h.headDim;
    f.vector.set(h.fit.vector.subarray(block, block + h.headDim), block);
    (f.info.heads as number[]).push(h.head);
    (f.info.sigma as number[]).push((h.fit.info.sigma as number[])[0]);
    (f.info.headAccuracy as number[]).push((h.fit.info.headAccuracy as number[])[0]);
    if (score) (f.info.headEffect as number[]).push(effects[i]);
    out.set(h.layer, f);
  }
  return out;
}

export const ITI: MethodDescriptor<ItiOptions> = {
  name: "iti", create: iti, window: null, allLayers: true, color: "#d62728",
  flags: [
    { flag: "top-k", option: "topK", type: "integer", min: 1, description: "iti: heads to steer (default 4)" },
    { flag: "by-accuracy", option: "byAccuracy", type: "boolean", description: "iti: rank heads by probe accuracy only, as in the paper (default: by measured steering effect)" },
  ],
};
