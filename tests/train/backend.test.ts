import { afterEach, describe, expect, it } from "vitest";
import { gatherHasGradient, initTf } from "../../lib/train/backend";

describe("initTf", () => {
  afterEach(() => { delete process.env.STEERSYNTH_TF_BACKEND; });

  it("rejects an unknown forced backend, naming the valid ones, and does not cache the failure", async () => {
    process.env.STEERSYNTH_TF_BACKEND = "tpu";
    await expect(initTf({ quiet: true })).rejects.toThrow(/STEERSYNTH_TF_BACKEND='tpu': expected one of tensorflow-gpu, tensorflow, wasm, cpu/);
    process.env.STEERSYNTH_TF_BACKEND = "cpu";
    const { tf, backend } = await initTf({ quiet: true });
    expect(backend).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });

  it("embeddings use gather except on wasm, which lacks its gradient kernel", () => {
    expect(gatherHasGradient("wasm")).toBe(false);
    expect(gatherHasGradient("tensorflow")).toBe(true);
    expect(gatherHasGradient("cpu")).toBe(true);
  });
});
