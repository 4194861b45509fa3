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

/** Standardisation of [n, width] rows: column means and one global scale. */
function standardiser(x: Float32Array, width: number): { mu: Float64Array; s: number } {
  const n = rowCount(x, width);
  const mu = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) mu[k] += x[i * width + k] / n;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - mu[i % width]) ** 2;
  const s = Math.sqrt(ss / n) || 1;
  return { mu, s };
}

/** Largest eigenvalue of zᵀz/n (power iteration, 50 steps: an estimate, used only for the step size). */
function curvature(z: Float64Array, n: number, width: number): number {
  let v = new Float64Array(width).fill(1 / Math.sqrt(width));
  let lambda = 0;
  for (let it = 0; it < 50; it++) {
    const next = new Float64Array(width);
    for (let i = 0; i < n; i++) {
      const zi = z.subarray(i * width, (i + 1) * width);
      const p = dot(zi, v);
      for (let k = 0; k < width; k++) next[k] += (zi[k] * p) / n;
    }
    lambda = norm(next);
    if (!(lambda > 0)) return 0;
    v = next.map((x) => x / lambda);
  }
  return lambda;
}

/** Gradient of the mean penalised loss at (w, b) on standardised features; returns the gradient and loss. */
function gradient(z: Float64Array, y: ArrayLike<number>, n: number, width: number, w: Float64Array, b: number, l2: number) {
  const gw = new Float64Array(width);
  let gb = 0, loss = 0;
  for (let i = 0; i < n; i++) {
    const zi = z.subarray(i * width, (i + 1) * width);
    const t = dot(zi, w) + b;
    const p = sigmoid(t);
    const r = (p - y[i]) / n;
    for (let k = 0; k < width; k++) gw[k] += r * zi[k];
    gb += r;
    loss += (y[i] ? -Math.log(Math.max(p, 1e-300)) : -Math.log(Math.max(1 - p, 1e-300))) / n;
  }
  for (let k = 0; k < width; k++) gw[k] += l2 * w[k];
  loss += (l2 / 2) * dot(w, w);
  return { gw, gb, loss };
}

/** Fit on rows x [n, width] with labels y ∈ {0, 1} [n]. */
export function fitLogistic(x: Float32Array, y: ArrayLike<number>, width: number, opts: LogisticOptions = {}): LogisticModel {
  const l2 = opts.l2 ?? 1e-2, iterations = opts.iterations ?? 400;
  const n = rowCount(x, width);
  if (n !== y.length) throw new Error(`fitLogistic: ${n} rows but ${y.length} labels`);
  if (!Array.from(y).some((v) => v === 1) || !Array.from(y).some((v) => v === 0)) throw new Error("fitLogistic: both classes (0 and 1) are needed");
  const { mu, s } = standardiser(x, width);
  const z = Float64Array.from(x, (v, i) => (v - mu[i % width]) / s);
  // The logistic loss has curvature ≤ 1/4 of the feature covariance's; the bias adds at most 1/4.
  const step = 1 / (0.25 * curvature(z, n, width) + 0.25 + l2);
  let w = new Float64Array(width), b = 0;
  let prevW = w, prevB = b;
  for (let it = 1; it <= iterations; it++) {
    const momentum = (it - 1) / (it + 2);
    const lookW = w.map((v, k) => v + momentum * (v - prevW[k]));
    const lookB = b + momentum * (b - prevB);
    const { gw, gb } = gradient(z, y, n, width, lookW, lookB, l2);
    prevW = w; prevB = b;
    w = lookW.map((v, k) => v - step * gw[k]);
    b = lookB - step * gb;
  }
  const wRaw = Float32Array.from(w, (v) => v / s);
  let shift = 0;
  for (let k = 0; k < width; k++) shift += wRaw[k] * mu[k];
  return { w: wRaw, b: b - shift };
}

/** The gradient of the penalised loss at a fitted model, on the same standardised scale (for tests). */
export function logisticGradientNorm(x: Float32Array, y: ArrayLike<number>, width: number, model: LogisticModel, l2 = 1e-2): number {
  const n = rowCount(x, width);
  const { mu, s } = standardiser(x, width);
  const z = Float64Array.from(x, (v, i) => (v - mu[i % width]) / s);
  const w = Float64Array.from(model.w, (v) => v * s);
  let b = model.b;
  for (let k = 0; k < width; k++) b += model.w[k] * mu[k];
  const { gw, gb } = gradient(z, y, n, width, w, b, l2);
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
