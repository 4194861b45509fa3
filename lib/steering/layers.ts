import { project, subtract, meanRows, mean, std, accuracy, fitLogistic, heldOutSplit } from "../math/index";
import type { LayerEffect } from "./effect";
import { typicalNorm, type PairedActivations } from "./methods/types";

/**
 * Where a concept is readable: per layer, how well it separates in the activations. (Where steering it works is
 * another question, answered by choose-layer.ts: on small models every layer reads a concept ~perfectly.)
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

/** Column form for plots and tables: one array per field, aligned by layer (effects: see choose-layer.ts). */
export const layerColumns = (scores: readonly LayerScore[], effects: readonly LayerEffect[] = []) => {
  const at = (l: number) => effects.find((e) => e.layer === l);
  return {
    layer: scores.map((s) => s.layer),
    probeAccuracy: scores.map((s) => s.probeAccuracy),
    separation: scores.map((s) => s.separation),
    typicalNorm: scores.map((s) => s.typicalNorm),
    raise: scores.map((s) => at(s.layer)?.raise ?? null),
    lower: scores.map((s) => at(s.layer)?.lower ?? null),
  };
};

/**
 * A plain-text table (Markdown) of the scores, one row per layer; with a layer choice, its steering effects too
 * and the chosen layer marked.
 */
export function layerTable(scores: readonly LayerScore[], choice?: { layer: number; effects: readonly LayerEffect[] }): string {
  const fx = (l: number) => {
    const e = choice?.effects.find((x) => x.layer === l);
    return e ? ` ${e.raise.toFixed(3)} | ${e.lower.toFixed(3)} |` : "";
  };
  const rows = scores.map((s) => `| ${s.layer}${s.layer === choice?.layer ? " *" : ""} | ${s.probeAccuracy.toFixed(3)} | ${s.separation.toFixed(2)} | ${s.typicalNorm.toFixed(3)} |${fx(s.layer)}`);
  const head = choice
    ? ["| layer | probe accuracy (held-out) | separation (Cohen's d) | typical norm | raise r(+α)−r(0) | lower r(0)−r(−α) |", "|---|---|---|---|---|---|"]
    : ["| layer | probe accuracy (held-out) | separation (Cohen's d) | typical norm |", "|---|---|---|---|"];
  return [...head, ...rows].join("\n");
}
