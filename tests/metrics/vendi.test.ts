import { describe, expect, it } from "vitest";
import { symmetricEigen } from "../../lib/metrics/linalg";
import { ngramFeatures, vendiEmbedding, vendiFromEigenvalues, vendiFromFeatures, vendiNgram } from "../../lib/metrics/vendi";
import { meanPairwiseCosineDistance } from "../../lib/metrics/cosine";
import { encodeTexts } from "../../lib/metrics/diversity";
import { createRng } from "../../lib/util/rng";

const randomSymmetric = (n: number, seed: number): Float64Array => {
  const rng = createRng(seed), a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
};

describe("symmetric eigen solver", () => {
  it("hand case [[2, 1], [1, 2]] → 1, 3 with vectors (1, ∓1)/√2", () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2, { vectors: true });
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    expect(Math.abs(vectors![0 * 2 + 1])).toBeCloseTo(Math.SQRT1_2, 14); // column 1 = (1, 1)/√2
    expect(vectors![0 * 2 + 1] * vectors![1 * 2 + 1]).toBeGreaterThan(0);
    expect(vectors![0 * 2 + 0] * vectors![1 * 2 + 0]).toBeLessThan(0);
  });
  it("reconstructs A = V Λ Vᵀ with orthonormal V (1e-10), and values-only agrees", () => {
    for (const n of [1, 3, 17, 60]) {
      const a = randomSymmetric(n, n);
      const { values, vectors: v } = symmetricEigen(a, n, { vectors: true });
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let rec = 0, gram = 0;
        for (let k = 0; k < n; k++) { rec += v![i * n + k] * values[k] * v![j * n + k]; gram += v![k * n + i] * v![k * n + j]; }
        expect(Math.abs(rec - a[i * n + j])).toBeLessThan(1e-10);
        expect(Math.abs(gram - (i === j ? 1 : 0))).toBeLessThan(1e-10);
      }
      const only = symmetricEigen(a, n).values;
      for (let k = 0; k < n; k++) expect(Math.abs(only[k] - values[k])).toBeLessThan(1e-10);
      for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
    }
  });
  it("two-thread reduction (worker thread) agrees with one thread to 1e-11 at n = 450", () => {
    const n = 450, a = randomSymmetric(n, 8);
    const one = symmetricEigen(a, n, { threads: 1 }).values, two = symmetricEigen(a, n, { threads: 2 }).values;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    expect(one.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 9);
    for (let k = 0; k < n; k++) expect(Math.abs(one[k] - two[k])).toBeLessThan(1e-11);
  });
  it("handles diagonal and rank-deficient matrices (trace preserved)", () => {
    const d = symmetricEigen(Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3).values;
    expect(Array.from(d)).toEqual([-1, 2, 3]);
    const ones = symmetricEigen(new Float64Array(16).fill(1), 4).values;
    expect(ones[3]).toBeCloseTo(4, 12);
    for (let k = 0; k < 3; k++) expect(Math.abs(ones[k])).toBeLessThan(1e-12);
  });
});

describe("Vendi score", () => {
  it("is 1 for identical items and n for orthogonal items, at every order q", () => {
    for (const q of [0, 0.5, 1, 2, Infinity]) {
      expect(vendiNgram(encodeTexts(["same words here", "same words here", "same words here"]), q)).toBeCloseTo(1, 10);
      const basis = [0, 1, 2, 3].map((i) => Float32Array.from([0, 1, 2, 3], (k) => (k === i ? 2 : 0)));
      expect(vendiEmbedding(basis, q)).toBeCloseTo(4, 10);
      expect(vendiNgram(encodeTexts(["a b", "c d", "e f g", "h"]), q)).toBeCloseTo(4, 10);
    }
  });
  it("order q from eigenvalues (hand): λ = (1/2, 1/2, 0) → 2; λ = (3/4, 1/4)", () => {
    expect(vendiFromEigenvalues([0.5, 0.5, 0], 1)).toBeCloseTo(2, 14);
    const h1 = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    expect(vendiFromEigenvalues([0.75, 0.25], 1)).toBeCloseTo(Math.exp(h1), 14);
    expect(vendiFromEigenvalues([0.75, 0.25], 2)).toBeCloseTo(1 / (0.75 ** 2 + 0.25 ** 2), 14);
    expect(vendiFromEigenvalues([0.75, 0.25], Infinity)).toBeCloseTo(4 / 3, 14);
    expect(vendiFromEigenvalues([0.75, 0.25], 0)).toBeCloseTo(2, 14);
    expect(() => vendiFromEigenvalues([1], -1)).toThrow(/order q/);
  });
  it("n-gram kernel matches NumPy on a fixed set", () => {
    // numpy 2.4 eigvalsh of K/n with K = mean over n = 1..4 of cosine similarities of n-gram Counters (a sequence
    // shorter than n using its whole token tuple as its one order-n feature), pasted from a one-off script.
    const seqs = encodeTexts(["the cat sat on the mat .", "the cat is on the mat .", "a dog ran in the park !", "the dog sat on the mat", "hello"]);
    expect(vendiNgram(seqs, 1)).toBeCloseTo(4.372925849774535, 10);
    expect(vendiNgram(seqs, 2)).toBeCloseTo(3.9003464612474716, 10);
    expect(vendiNgram(seqs, Infinity)).toBeCloseTo(2.552167183283404, 10);
    expect(vendiNgram(seqs, 0.5)).toBeCloseTo(4.6673134095077815, 10);
  });
  it("primal (n×n) and dual (d×d) routes agree", () => {
    const rng = createRng(5);
    const embs = Array.from({ length: 30 }, () => Float32Array.from({ length: 6 }, () => rng.normal())); // d < n: dual
    const few = embs.slice(0, 4); // d > n: primal
    const unit = (e: Float32Array) => { const s = Math.hypot(...e); return Float64Array.from(e, (x) => x / s); };
    const asSparse = (rows: Float64Array[], dim: number) => ({ kind: "sparse" as const, dim, rows: rows.map((r) => ({ idx: Int32Array.from(r, (_, k) => k), val: r })) });
    for (const set of [embs, few]) {
      const dense = vendiEmbedding(set);
      expect(vendiFromFeatures(asSparse(set.map(unit), 6))).toBeCloseTo(dense, 10);
    }
    // Same embeddings padded with zero columns to d > n force the primal route on the big set.
    const padded = embs.map((e) => { const p = new Float32Array(40); p.set(e); return p; });
    expect(vendiEmbedding(padded)).toBeCloseTo(vendiEmbedding(embs), 10);
  });
  it("n-gram features have unit norm, including empty and one-token responses", () => {
    const f = ngramFeatures(encodeTexts(["", "x", "a b c d e"]));
    if (f.kind !== "sparse") throw new Error("expected sparse");
    for (const r of f.rows) expect(r.val.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 14);
    expect(vendiNgram(encodeTexts(["", ""]))).toBeCloseTo(1, 12);
  });
});

describe("mean pairwise cosine distance", () => {
  it("hand case: e1, e2, e1+e2 → distances 1, 1−1/√2, 1−1/√2", () => {
    const d = meanPairwiseCosineDistance([Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([1, 1])]);
    expect(d).toBeCloseTo((1 + 2 * (1 - Math.SQRT1_2)) / 3, 7);
    expect(() => meanPairwiseCosineDistance([Float32Array.from([0, 0]), Float32Array.from([1, 0])])).toThrow(/zero/);
  });
});
