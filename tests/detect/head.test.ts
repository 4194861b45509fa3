import { describe, expect, it } from "vitest";
import { composeTrainingSet, type Example } from "../../lib/detect/dataset";
import { DEFAULT_HEAD, trainHead } from "../../lib/detect/head";
import { auroc } from "../../lib/metrics/stats";
import { initTf } from "../../lib/train/backend";
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
  it("separates planted classes (test AUROC > 0.9) and is at chance on shuffled labels", async () => {
    const { tf } = await initTf({ quiet: true });
    const train = gaussians(400, 2.5, 1), test = gaussians(400, 2.5, 2);
    const head = await trainHead(tf, train.rows, train.labels, { ...DEFAULT_HEAD, epochs: 60 }, 7);
    // Bayes AUROC for a 2.5σ mean shift is Φ(2.5/√2) ≈ 0.96.
    expect(auroc(test.labels, head.predict(test.rows))).toBeGreaterThan(0.9);
    const shuffled = createRng(3).shuffle(train.labels);
    const nullHead = await trainHead(tf, train.rows, shuffled, { ...DEFAULT_HEAD, epochs: 60 }, 7);
    // 400 test items: the AUROC standard error under H0 is ≈ 0.029, so ±0.1 is > 3 standard errors.
    expect(Math.abs(auroc(test.labels, nullHead.predict(test.rows)) - 0.5)).toBeLessThan(0.1);
  });

  it("is reproducible for a seed", async () => {
    const { tf } = await initTf({ quiet: true });
    const d = gaussians(200, 1.5, 4);
    const a = await trainHead(tf, d.rows, d.labels, { ...DEFAULT_HEAD, kind: "mlp", epochs: 20 }, 11);
    const b = await trainHead(tf, d.rows, d.labels, { ...DEFAULT_HEAD, kind: "mlp", epochs: 20 }, 11);
    expect(Array.from(a.predict(d.rows.slice(0, 10)))).toEqual(Array.from(b.predict(d.rows.slice(0, 10))));
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
    expect(base.filter((e) => e.label === 1).every((e) => e.source === "real")).toBe(true);
  });

  it("refuses to train on fewer usable generations than needed", () => {
    expect(() => composeTrainingSet(real, { positives: 12, negatives: 5, seed: 1, replacement: { source: "prompting", items: gens } }))
      .toThrow(/11 usable generations .* 12 are needed/);
  });
});
