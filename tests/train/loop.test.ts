import { beforeAll, describe, expect, it } from "vitest";
import { initTf, type Tf } from "../../lib/train/backend";
import { DEFAULT_TRAIN, epochBatches, evalLoss, lrAt, makeBatch, trainLM, type TrainExample } from "../../lib/train/loop";
import { buildTfModel } from "../../lib/train/model";
import { createRng } from "../../lib/util/rng";
import { tinySpec } from "../reference/tiny-model";

let tf: Tf;
beforeAll(async () => {
  process.env.STEERSYNTH_PROGRESS = "off";
  ({ tf } = await initTf({ quiet: true }));
});

describe("schedule and batching", () => {
  const cfg = { steps: 11, lr: 1, warmupSteps: 2, minLrRatio: 0.1 };
  it("lrAt: linear warmup, cosine from lr to lr·minLrRatio (hand-computed)", () => {
    expect(lrAt(0, cfg)).toBeCloseTo(0.5, 12);
    expect(lrAt(1, cfg)).toBeCloseTo(1, 12);
    expect(lrAt(2, cfg)).toBeCloseTo(1, 12);
    // halfway through the 8 decay steps: 0.1 + 0.9 · 0.5 · (1 + cos(π/2)) = 0.55
    expect(lrAt(6, cfg)).toBeCloseTo(0.55, 12);
    expect(lrAt(10, cfg)).toBeCloseTo(0.1, 12);
  });

  it("epochBatches visits every example exactly once, in a seed-determined order", () => {
    const lengths = Array.from({ length: 37 }, (_, i) => (i * 7) % 13 + 2);
    const a = epochBatches(lengths, 4, createRng(1)), b = epochBatches(lengths, 4, createRng(1));
    expect(a).toEqual(b);
    expect(a.flat().sort((x, y) => x - y)).toEqual(lengths.map((_, i) => i));
    expect(epochBatches(lengths, 4, createRng(2))).not.toEqual(a);
  });

  it("makeBatch shifts targets by one, right-pads, honours lossMask and truncates to maxLen", () => {
    const b = makeBatch([{ ids: [5, 6, 7, 8], lossMask: [0, 0, 1, 1] }, { ids: [1, 2] }, { ids: [9, 9, 9, 9, 9, 9] }], 5);
    expect([b.B, b.T]).toEqual([3, 4]);
    expect([...b.inputs]).toEqual([5, 6, 7, 0, 1, 0, 0, 0, 9, 9, 9, 9]);
    expect([...b.targets]).toEqual([6, 7, 8, 0, 2, 0, 0, 0, 9, 9, 9, 9]);
    expect([...b.weights]).toEqual([0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
    expect(() => makeBatch([{ ids: [1, 2, 3], lossMask: [1] }], 8)).toThrow(/3 ids but 1 lossMask/);
  });
});

describe("trainLM", () => {
  // A learnable language: each sequence follows x → (3x + 1) mod V from a random start.
  const spec = tinySpec({ vocabSize: 32, hidden: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 8, intermediate: 48, tieEmbeddings: true });
  const rng = createRng(5);
  const seq = (): TrainExample => {
    const ids = [rng.int(32)];
    while (ids.length < 12 + rng.int(8)) ids.push((3 * ids.at(-1)! + 1) % 32);
    return { ids };
  };
  const train = Array.from({ length: 64 }, seq), heldOut = Array.from({ length: 16 }, seq);
  const cfg = { ...DEFAULT_TRAIN, steps: 40, seed: 9, batchSize: 8, maxLen: 32, lr: 1e-2, warmupSteps: 5, evalEvery: 20, label: "test" };

  const run = () => {
    const model = buildTfModel(tf, spec, undefined, { seed: 3 });
    try {
      const before = evalLoss(tf, model, heldOut, 8, 32);
      const result = trainLM(tf, model, train, heldOut, cfg);
      return { before, result, weights: model.toWeights() };
    } finally {
      model.dispose();
    }
  };

  it("lowers the held-out loss well below the untrained model's (≈ ln 32 = 3.47) and is seed-deterministic", () => {
    const a = run();
    expect(a.before).toBeGreaterThan(3);
    expect(a.result.evalLoss).toBeLessThan(0.5 * a.before);
    expect(a.result.evalHistory.map((e) => e.step)).toEqual([20, 40]);
    expect(a.result.lossHistory).toHaveLength(40);
    const b = run();
    expect(b.result.lossHistory).toEqual(a.result.lossHistory);
    expect(b.weights.get("embed.weight")!.data).toEqual(a.weights.get("embed.weight")!.data);
  });
});
