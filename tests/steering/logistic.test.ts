import { describe, expect, it } from "vitest";
import { fitLogistic } from "../../lib/math/logistic";
import { createRng } from "../../lib/util/rng";

/**
 * The fit as documented, written out densely: z = (x − μ)/s materialised, step 1/(¼·λmax(zᵀz/n) + ¼ + l2) with λmax
 * from 50 power-iteration steps, Nesterov momentum (it−1)/(it+2). The library keeps z implicit (sparse rows); the
 * two must give the same weights up to float rounding.
 */
function naiveFit(x: Float32Array, y: number[], width: number, l2: number, iterations: number): { w: number[]; b: number } {
  const n = y.length;
  const mu = Array.from({ length: width }, (_, k) => { let m = 0; for (let i = 0; i < n; i++) m += x[i * width + k]; return m / n; });
  let ss = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) ss += (x[i * width + k] - mu[k]) ** 2;
  const s = Math.sqrt(ss / n) || 1;
  const z = Array.from({ length: n }, (_, i) => Array.from({ length: width }, (_, k) => (x[i * width + k] - mu[k]) / s));
  const dotv = (a: number[], b: number[]) => a.reduce((t, v, k) => t + v * b[k], 0);
  let v = new Array<number>(width).fill(1 / Math.sqrt(width)), lambda = 0;
  for (let it = 0; it < 50; it++) {
    const next = new Array<number>(width).fill(0);
    for (const zi of z) { const p = dotv(zi, v); zi.forEach((q, k) => { next[k] += (q * p) / n; }); }
    lambda = Math.sqrt(dotv(next, next));
    v = next.map((t) => t / lambda);
  }
  const step = 1 / (0.25 * lambda + 0.25 + l2);
  let w = new Array<number>(width).fill(0), b = 0, pw = w, pb = b;
  for (let it = 1; it <= iterations; it++) {
    const m = (it - 1) / (it + 2);
    const lw = w.map((t, k) => t + m * (t - pw[k])), lb = b + m * (b - pb);
    const gw = lw.map((t) => l2 * t);
    let gb = 0;
    z.forEach((zi, i) => { const r = (1 / (1 + Math.exp(-(dotv(zi, lw) + lb))) - y[i]) / n; gb += r; zi.forEach((q, k) => { gw[k] += r * q; }); });
    pw = w; pb = b;
    w = lw.map((t, k) => t - step * gw[k]);
    b = lb - step * gb;
  }
  const wRaw = w.map((t) => t / s);
  return { w: wRaw, b: b - dotv(wRaw, mu) };
}

describe("fitLogistic equals the dense textbook fit (weights and bias within 1e-6 relative to the largest weight)", () => {
  const cases = [
    ["dense rows", 1, 80, 40],
    ["sparse rows (hashed n-grams: 5 % nonzero)", 0.05, 80, 40],
    // n² < nonzeros: the library descends in the row span (dual coordinates), the reference in the weights.
    ["fewer rows than columns, dense (dual coordinates)", 1, 30, 120],
    ["fewer rows than columns, 40 % nonzero (dual coordinates)", 0.4, 30, 120],
  ] as const;
  for (const [name, density, n, width] of cases) {
    it(name, () => {
      const rng = createRng(name.length);
      const x = Float32Array.from({ length: n * width }, () => (rng.next() < density ? rng.normal() + 0.5 : 0));
      for (let i = 0; i < n; i++) x[i * width] = rng.normal(); // one dense informative column
      const y = Array.from({ length: n }, (_, i) => (x[i * width] + x[i * width + 1] + 0.3 * rng.normal() > 0 ? 1 : 0));
      const got = fitLogistic(x, y, width, { l2: 1e-3, iterations: 150 });
      const want = naiveFit(x, y, width, 1e-3, 150);
      const scale = Math.max(...want.w.map(Math.abs));
      want.w.forEach((v, k) => expect(Math.abs(got.w[k] - v) / scale).toBeLessThan(1e-6));
      expect(Math.abs(got.b - want.b) / scale).toBeLessThan(1e-6);
    });
  }
});
