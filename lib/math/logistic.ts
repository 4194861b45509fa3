import { sigmoid } from "./numeric";
import { createRng, deriveSeed } from "../util/index";
import { dot, norm, row, rowCount } from "./linalg";

/**
 * L2-regularised logistic regression, used by the probe method, ITI's per-head probes and layer choice.
 * Fitted on standardised features z = (x − μ) / s (μ: column means; s: one global RMS scale, so the
 * geometry — and therefore the weight direction — is unchanged), with Nesterov-accelerated gradient descent
 * at step 1/L where L bounds the loss's curvature. The loss is convex, so the optimum is unique; the test
 * checks the gradient there.
 */
export interface LogisticModel {
  /** Weights and bias on the raw features: p(y=1|x) = σ(w·x + b). */
  w: Float32Array;
  b: number;
}

export interface LogisticOptions {
  /** L2 penalty on the standardised weights (mean loss + l2/2 |w|²). */
  l2?: number;
  iterations?: number;
}

/**
 * Rows x [n, width] as the fit sees them: z = (x − μ) / s, kept implicitly as the nonzeros of x (CSR) plus μ and s,
 * so z·w = (x·w − μ·w) / s and Σ rᵢ zᵢ = (Σ rᵢ xᵢ − μ Σ rᵢ) / s cost O(nonzeros). Why: the judges' hashed n-gram
 * blocks are ~97 % zeros, and a dense z made their fits the study's slowest stage; on dense rows (activations)
 * the CSR walk costs a little more than dense loops (measured: a 400×512 dense fit 0.30 s, the old dense fit
 * 0.21–0.25 s).
 */
interface Standardised { n: number; width: number; start: Int32Array; col: Int32Array; val: Float64Array; mu: Float64Array; s: number }

/** Standardisation of [n, width] rows: column means and one global RMS scale. */
function standardise(x: Float32Array, width: number): Standardised {
  const n = rowCount(x, width);
  const mu = new Float64Array(width);
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) { nnz++; mu[i % width] += x[i] / n; }
  const start = new Int32Array(n + 1), col = new Int32Array(nnz), val = new Float64Array(nnz);
  let ss = 0, at = 0;
  for (let i = 0; i < n; i++) {
    start[i] = at;
    for (let k = 0; k < width; k++) {
      const v = x[i * width + k];
      ss += (v - mu[k]) ** 2;
      if (v !== 0) { col[at] = k; val[at] = v; at++; }
    }
  }
  start[n] = at;
  return { n, width, start, col, val, mu, s: Math.sqrt(ss / n) || 1 };
}

/** z·w for every row (w on the standardised scale). [n] */
function zDot(z: Standardised, w: Float64Array): Float64Array {
  const { n, start, col, val, mu, s } = z;
  const muw = dot(mu, w);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = start[i]; j < start[i + 1]; j++) t += val[j] * w[col[j]];
    out[i] = (t - muw) / s;
  }
  return out;
}

/** Σᵢ rᵢ zᵢ. [width] */
function zTransposeDot(z: Standardised, r: Float64Array): Float64Array {
  const { n, width, start, col, val, mu, s } = z;
  const out = new Float64Array(width);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const ri = r[i];
    sum += ri;
    for (let j = start[i]; j < start[i + 1]; j++) out[col[j]] += ri * val[j];
  }
  for (let k = 0; k < width; k++) out[k] = (out[k] - mu[k] * sum) / s;
  return out;
}

/** Largest eigenvalue of zᵀz/n (power iteration, 50 steps: an estimate, used only for the step size). */
function curvature(z: Standardised): number {
  let v = new Float64Array(z.width).fill(1 / Math.sqrt(z.width));
  let lambda = 0;
  for (let it = 0; it < 50; it++) {
    const next = zTransposeDot(z, zDot(z, v).map((p) => p / z.n));
    lambda = norm(next);
    if (!(lambda > 0)) return 0;
    v = next.map((x) => x / lambda);
  }
  return lambda;
}

/** Gradient of the mean penalised loss at (w, b) on standardised features. */
function gradient(z: Standardised, y: ArrayLike<number>, w: Float64Array, b: number, l2: number): { gw: Float64Array; gb: number } {
  const t = zDot(z, w);
  let gb = 0;
  const r = t.map((ti, i) => { const ri = (sigmoid(ti + b) - y[i]) / z.n; gb += ri; return ri; });
  const gw = zTransposeDot(z, r);
  for (let k = 0; k < z.width; k++) gw[k] += l2 * w[k];
  return { gw, gb };
}

/** Fit on rows x [n, width] with labels y ∈ {0, 1} [n]. */
export function fitLogistic(x: Float32Array, y: ArrayLike<number>, width: number, opts: LogisticOptions = {}): LogisticModel {
  const l2 = opts.l2 ?? 1e-2, iterations = opts.iterations ?? 400;
  const n = rowCount(x, width);
  if (n !== y.length) throw new Error(`fitLogistic: ${n} rows but ${y.length} labels`);
  if (!Array.from(y).some((v) => v === 1) || !Array.from(y).some((v) => v === 0)) throw new Error("fitLogistic: both classes (0 and 1) are needed");
  const z = standardise(x, width);
  // The logistic loss has curvature ≤ 1/4 of the feature covariance's; the bias adds at most 1/4.
  const step = 1 / (0.25 * curvature(z) + 0.25 + l2);
  let w = new Float64Array(width), b = 0;
  let prevW = w, prevB = b;
  for (let it = 1; it <= iterations; it++) {
    const momentum = (it - 1) / (it + 2);
    const lookW = w.map((v, k) => v + momentum * (v - prevW[k]));
    const lookB = b + momentum * (b - prevB);
    const { gw, gb } = gradient(z, y, lookW, lookB, l2);
    prevW = w; prevB = b;
    w = lookW.map((v, k) => v - step * gw[k]);
    b = lookB - step * gb;
  }
  const wRaw = Float32Array.from(w, (v) => v / z.s);
  let shift = 0;
  for (let k = 0; k < width; k++) shift += wRaw[k] * z.mu[k];
  return { w: wRaw, b: b - shift };
}

/** The gradient of the penalised loss at a fitted model, on the same standardised scale (for tests). */
export function logisticGradientNorm(x: Float32Array, y: ArrayLike<number>, width: number, model: LogisticModel, l2 = 1e-2): number {
  const z = standardise(x, width);
  const w = Float64Array.from(model.w, (v) => v * z.s);
  let b = model.b;
  for (let k = 0; k < width; k++) b += model.w[k] * z.mu[k];
  const { gw, gb } = gradient(z, y, w, b, l2);
  return Math.sqrt(dot(gw, gw) + gb * gb);
}

/** Fraction of rows classified correctly (threshold 0.5). */
export function accuracy(model: LogisticModel, x: Float32Array, y: ArrayLike<number>, width: number): number {
  const n = rowCount(x, width);
  let right = 0;
  for (let i = 0; i < n; i++) if ((dot(row(x, width, i), model.w) + model.b > 0 ? 1 : 0) === y[i]) right++;
  return right / n;
}

/** A seeded split of n pair indices into train and held-out (at least one of each). */
export function heldOutSplit(n: number, fraction: number, seed: number): { train: number[]; val: number[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`held-out fraction must be in (0, 1) (got ${fraction})`);
  const nVal = Math.max(1, Math.round(n * fraction));
  if (n - nVal < 1) throw new Error(`a held-out split needs at least 2 pairs (got ${n})`);
  const order = createRng(deriveSeed(seed, "held-out-split")).shuffle(Array.from({ length: n }, (_, i) => i));
  return { val: order.slice(0, nVal), train: order.slice(nVal) };
}
