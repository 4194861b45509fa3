import { describe, expect, it } from "vitest";
import { logSoftmaxAt } from "../../lib/math/index";

/** Textbook log softmax in float64, without the max shift: log(e^{x_i} / Σ e^{x_j}). */
const naive = (row: readonly number[], i: number): number => Math.log(Math.exp(row[i]) / row.reduce((s, x) => s + Math.exp(x), 0));

describe("logSoftmaxAt", () => {
  const V = 7;
  // Three rows [3, V] of moderate values (the naive form must not overflow), distinct per row.
  const block = Float32Array.from({ length: 3 * V }, (_, k) => Math.sin(1.3 * k) * 4 + (k % V === 2 ? 3 : 0));
  const row = (r: number): number[] => Array.from(block.subarray(r * V, (r + 1) * V));

  it("matches the textbook form on every entry of every row of a block (1e-12)", () => {
    for (let r = 0; r < 3; r++) for (let i = 0; i < V; i++)
      expect(Math.abs(logSoftmaxAt(block, i, r * V, V) - naive(row(r), i))).toBeLessThan(1e-12);
  });

  it("reads only its row: the same value as on a copy of the row alone (bit for bit)", () => {
    for (let r = 0; r < 3; r++) for (let i = 0; i < V; i++)
      expect(logSoftmaxAt(block, i, r * V, V)).toBe(logSoftmaxAt(Float32Array.from(row(r)), i));
  });

  it("stays finite where the naive form overflows (logits near 1e4)", () => {
    const big = Float32Array.of(1e4, 1e4 - 1, 1e4 - 3);
    const z = Math.log(1 + Math.exp(-1) + Math.exp(-3));
    expect(logSoftmaxAt(big, 0)).toBeCloseTo(-z, 12);
    expect(logSoftmaxAt(big, 2)).toBeCloseTo(-3 - z, 12);
  });
});
