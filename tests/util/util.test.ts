import { describe, expect, it } from "vitest";
import { createRng, deriveSeed } from "../../lib/util/rng";
import { fingerprint } from "../../lib/util/fingerprint";

describe("rng", () => {
  it("is reproducible per seed and differs across seeds", () => {
    const a = createRng(7), b = createRng(7), c = createRng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });
  it("has uniform mean 1/2 and normal mean 0, variance 1 (±4 standard errors)", () => {
    const r = createRng(1), n = 20000;
    let s = 0, m = 0, v = 0;
    for (let i = 0; i < n; i++) s += r.next();
    for (let i = 0; i < n; i++) { const z = r.normal(); m += z; v += z * z; }
    expect(Math.abs(s / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(m / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(v / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });
  it("derives distinct, stable child seeds", () => {
    expect(deriveSeed(1, "a", 0)).toBe(deriveSeed(1, "a", 0));
    expect(deriveSeed(1, "a", 0)).not.toBe(deriveSeed(1, "a", 1));
    expect(deriveSeed(1, "a", 0)).not.toBe(deriveSeed(2, "a", 0));
  });
});

describe("fingerprint", () => {
  it("ignores key order and sees typed-array contents", () => {
    expect(fingerprint({ a: 1, b: [1, 2] })).toBe(fingerprint({ b: [1, 2], a: 1 }));
    expect(fingerprint({ v: new Float32Array([1, 2]) })).not.toBe(fingerprint({ v: new Float32Array([1, 3]) }));
    expect(fingerprint([1, 2])).not.toBe(fingerprint([2, 1]));
  });
});
