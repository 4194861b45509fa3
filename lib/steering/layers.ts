import { mean, project, std, subtract, meanRows } from "./linalg";
import { accuracy, fitLogistic, heldOutSplit } from "./logistic";
import { typicalNorm, type PairedActivations } from "./methods/types";

/**
 * Choosing where to steer: per layer, how well a concept separates in the activations.
 *   probeAccuracy  held-out accuracy of a logistic probe (positive vs negative), trained on the other pairs;
 *   separation     held-out gap between the classes' mean projections on the train mean-difference
 *                  direction, in units of the pooled within-class standard deviation (Cohen's d);
 *   typicalNorm    mean activation norm (the strength unit of resid_post vectors).
 */
export interface LayerScore {
  layer: number;
  probeAccuracy: number;
  separation: number;
  typicalNorm: number;
}

export interface LayerScoreOptions {
  seed: number;
  /** Fraction of pairs held out (default 0.25). */
  heldOut?: number;
  l2?: number;
}

function rowsOf(m: Float32Array, width: number, idx: readonly number[]): Float32Array {
  const out = new Float32Array(idx.length * width);
  idx.forEach((p, i) => out.set(m.subarray(p * width, (p + 1) * width), i * width));
  return out;
}

export function scoreLayers(acts: ReadonlyMap<number, PairedActivations>, opts: LayerScoreOptions): LayerScore[] {
  const scores: LayerScore[] = [];
  for (const [layer, a] of acts) {
    const { train, val } = heldOutSplit(a.n, opts.heldOut ?? 0.25, opts.seed);
    const w = a.width;
    const trPos = rowsOf(a.positive, w, train), trNeg = rowsOf(a.negative, w, train);
    const vaPos = rowsOf(a.positive, w, val), vaNeg = rowsOf(a.negative, w, val);
    const x = new Float32Array(trPos.length + trNeg.length);
    x.set(trPos, 0);
    x.set(trNeg, trPos.length);
    const y = Array.from({ length: 2 * train.length }, (_, i) => (i < train.length ? 1 : 0));
    const model = fitLogistic(x, y, w, { l2: opts.l2 });
    const vx = new Float32Array(vaPos.length + vaNeg.length);
    vx.set(vaPos, 0);
    vx.set(vaNeg, vaPos.length);
    const vy = Array.from({ length: 2 * val.length }, (_, i) => (i < val.length ? 1 : 0));
    const dir = subtract(meanRows(trPos, w), meanRows(trNeg, w));
    const pp = project(vaPos, w, dir), pn = project(vaNeg, w, dir);
    const pooled = Math.sqrt((std(pp) ** 2 + std(pn) ** 2) / 2);
    scores.push({
      layer,
      probeAccuracy: accuracy(model, vx, vy, w),
      separation: pooled > 0 ? (mean(pp) - mean(pn)) / pooled : 0,
      typicalNorm: typicalNorm(a),
    });
  }
  return scores.sort((p, q) => p.layer - q.layer);
}

/** The layer to steer when the study says "auto": highest held-out probe accuracy, ties broken by separation. */
export function bestLayer(scores: readonly LayerScore[]): number {
  if (scores.length === 0) throw new Error("bestLayer: no layer scores");
  return [...scores].sort((p, q) => q.probeAccuracy - p.probeAccuracy || q.separation - p.separation || p.layer - q.layer)[0].layer;
}

/** Column form for plots and tables: one array per field, aligned by layer. */
export const layerColumns = (scores: readonly LayerScore[]) => ({
  layer: scores.map((s) => s.layer),
  probeAccuracy: scores.map((s) => s.probeAccuracy),
  separation: scores.map((s) => s.separation),
  typicalNorm: scores.map((s) => s.typicalNorm),
});

/** A plain-text table (Markdown) of the scores, one row per layer, the chosen layer marked. */
export function layerTable(scores: readonly LayerScore[]): string {
  const best = bestLayer(scores);
  const rows = scores.map((s) => `| ${s.layer}${s.layer === best ? " *" : ""} | ${s.probeAccuracy.toFixed(3)} | ${s.separation.toFixed(2)} | ${s.typicalNorm.toFixed(3)} |`);
  return ["| layer | probe accuracy (held-out) | separation (Cohen's d) | typical norm |", "|---|---|---|---|", ...rows].join("\n");
}
