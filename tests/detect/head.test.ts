import { describe, expect, it } from "vitest";
import { composeTrainingSet, type Example } from "../../lib/detect/dataset";
import { DEFAULT_HEAD, headNet, trainHead } from "../../lib/detect/head";
import { auroc } from "../../lib/metrics/stats";
import { createRng } from "../../lib/util/rng";

/** Two Gaussian classes in 16 dimensions whose means differ by `shift` along one planted direction. */
function gaussians(n: number, shift: number, seed: number) {
  const rng = createRng(seed);
  const rows: Float32Array[] = [], labels: (0 | 1)[] = [];
  for (let i = 0; i < n; i++) {
    const label = (i % 2) as 0 | 1;
    const r = Float32Array.from({ length: 16 }, () => rng.normal());
    r[3] += label * shift;
    rows.push(r);
    labels.push(label);
  }
  return { rows, labels };
}

describe("detector head", () => {
  it("separates planted classes (test AUROC > 0.9) and is at chance on shuffled labels", () => {
    const train = gaussians(400, 2.5, 1), test = gaussians(400, 2.5, 2);
    const head = trainHead(train.rows, train.labels, { ...DEFAULT_HEAD, epochs: 60 }, 7);
    // Bayes AUROC for a 2.5σ mean shift is Φ(2.5/√2) ≈ 0.96.
    expect(auroc(test.labels, head.predict(test.rows))).toBeGreaterThan(0.9);
    const shuffled = createRng(3).shuffle(train.labels);
    const nullHead = trainHead(train.rows, shuffled, { ...DEFAULT_HEAD, epochs: 60 }, 7);
    // 400 test items: the AUROC standard error under H0 is ≈ 0.029, so ±0.1 is > 3 standard errors.
    expect(Math.abs(auroc(test.labels, nullHead.predict(test.rows)) - 0.5)).toBeLessThan(0.1);
  });

  it("is reproducible for a seed", () => {
    const d = gaussians(200, 1.5, 4);
    const a = trainHead(d.rows, d.labels, { ...DEFAULT_HEAD, kind: "mlp", epochs: 20 }, 11);
    const b = trainHead(d.rows, d.labels, { ...DEFAULT_HEAD, kind: "mlp", epochs: 20 }, 11);
    expect(Array.from(a.predict(d.rows.slice(0, 10)))).toEqual(Array.from(b.predict(d.rows.slice(0, 10))));
  });
});

describe("head loss gradient", () => {
  // Independent reference: central finite differences of the loss itself (float64; step 1e-5 gives ~1e-9 error
  // on these smooth losses, so 1e-6 relative tolerance has margin). ReLU kinks are avoided by the random point.
  for (const kind of ["logistic", "mlp"] as const)
    it(`${kind}: analytic gradient = finite differences`, () => {
      const dim = 5, n = 9, rng = createRng(21);
      const net = headNet(kind, dim, 4, 0.03);
      const x = Float64Array.from({ length: n * dim }, () => rng.normal());
      const y = Array.from({ length: n }, (_, i) => i % 2), w = Array.from({ length: n }, (_, i) => 0.5 + i / n);
      const idx = [0, 2, 3, 5, 6, 8];
      const theta = net.init(4).map((t) => t + 0.3 * rng.normal());
      const grad = new Float64Array(net.size);
      net.loss(theta, x, y, w, idx, grad);
      const h = 1e-5;
      for (let i = 0; i < net.size; i++) {
        const plus = theta.slice(), minus = theta.slice();
        plus[i] += h;
        minus[i] -= h;
        const numeric = (net.loss(plus, x, y, w, idx, null) - net.loss(minus, x, y, w, idx, null)) / (2 * h);
        expect(Math.abs(grad[i] - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      }
    });
});

describe("training-set composition", () => {
  const real: Example[] = Array.from({ length: 40 }, (_, i) => ({
    user: `u${i}`, response: `r${i}`, label: (i % 2) as 0 | 1, source: "real", provenance: { index: i },
  }));
  const gens = Array.from({ length: 12 }, (_, i) => ({ user: `g${i}`, text: i === 0 ? "  " : `gen ${i}`, provenance: { sample: i } }));

  it("replaces positives, keeps counts and exactly the same negatives", () => {
    const base = composeTrainingSet(real, { positives: 10, negatives: 15, seed: 5 });
    const steered = composeTrainingSet(real, { positives: 10, negatives: 15, seed: 5, replacement: { source: "steered", items: gens } });
    const neg = (s: Example[]) => s.filter((e) => e.label === 0).map((e) => e.response);
    expect(neg(steered)).toEqual(neg(base));
    expect(steered.filter((e) => e.label === 1)).toHaveLength(10);
    expect(steered.filter((e) => e.label === 1).every((e) => e.source === "steered" && e.response.startsWith("gen"))).toBe(true);
    // Provenance travels with every example: the generation's own record, or the real row's.
    const byText = new Map(gens.map((g) => [g.text, g.provenance]));
    for (const e of steered) expect(e.provenance).toEqual(e.label === 1 ? byText.get(e.response) : { index: Number(e.response.slice(1)) });
    // Seeded: the same seed gives the same set, another seed another draw.
    expect(composeTrainingSet(real, { positives: 10, negatives: 15, seed: 5 })).toEqual(base);
    expect(composeTrainingSet(real, { positives: 10, negatives: 15, seed: 6 })).not.toEqual(base);
    expect(base.filter((e) => e.label === 1).every((e) => e.source === "real")).toBe(true);
  });

  it("refuses to train on fewer usable generations than needed", () => {
    expect(() => composeTrainingSet(real, { positives: 12, negatives: 5, seed: 1, replacement: { source: "prompting", items: gens } }))
      .toThrow(/11 usable generations .* 12 are needed/);
  });
});
