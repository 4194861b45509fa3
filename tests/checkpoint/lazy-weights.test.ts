import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { saveModel } from "../../lib/checkpoint/save";
import { createEngine } from "../../lib/engine";
import { memoryModel, randomIds, SPECS } from "../engine/fixtures";

/**
 * Weights held once: loadModel validates a checkpoint without decoding it, an engine build decodes it for the
 * graph only (the model keeps nothing), and an engine whose graphs are cached never decodes it. Counted on
 * readSafetensors, the one function that turns stored tensors into fp32 arrays.
 */
const decodes = vi.hoisted(() => ({ n: 0 }));
vi.mock("../../lib/checkpoint/safetensors", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../lib/checkpoint/safetensors")>();
  return { ...real, readSafetensors: (...a: Parameters<typeof real.readSafetensors>) => { decodes.n++; return real.readSafetensors(...a); } };
});

const dir = mkdtempSync(join(tmpdir(), "lazy-weights-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const m = memoryModel(SPECS.qwen2, 9);
const ckpt = join(dir, "ckpt"), cacheDir = join(dir, "cache");
saveModel(ckpt, { spec: m.spec, weights: m.weights }, { dtype: "BF16" });
const ids = randomIds(m.spec, [5, 3], 4);

describe("weights held once", () => {
  it("loadModel reads no weights into fp32; the first access decodes once and keeps them", async () => {
    decodes.n = 0;
    const model = await loadModel(ckpt);
    expect(decodes.n).toBe(0);
    const w = model.weights;
    expect(decodes.n).toBe(1);
    expect(model.weights).toBe(w);
    expect(model.readWeights!()).toBe(w); // already decoded: shared, not decoded again
    expect(decodes.n).toBe(1);
    expect(model.info.parameters).toBe([...w.values()].reduce((a, t) => a + t.data.length, 0));
  });

  it("an engine build decodes for the graph without the model keeping them; a cached graph decodes nothing", async () => {
    const run = async () => {
      const model = await loadModel(ckpt);
      const engine = await createEngine(model, { threads: 1, cacheDir });
      try { return (await engine.forward(ids)).logits; } finally { await engine.dispose(); }
    };
    decodes.n = 0;
    const built = await run();
    expect(decodes.n).toBe(1); // one fresh decode for the graph build
    decodes.n = 0;
    const cached = await run();
    expect(decodes.n).toBe(0);
    expect(cached).toEqual(built);
    // and the decoded path gives the same numbers (the model's own weights, no cache)
    const model = await loadModel(ckpt);
    const engine = await createEngine(model, { threads: 1, cacheDir: null });
    try { expect((await engine.forward(ids)).logits).toEqual(built); } finally { await engine.dispose(); }
  });

  it("a checkpoint rewritten between load and first use is refused, naming the file", async () => {
    const other = join(dir, "other");
    saveModel(other, { spec: m.spec, weights: m.weights }, { dtype: "F32" });
    const model = await loadModel(other);
    await new Promise((r) => setTimeout(r, 20));
    saveModel(other, { spec: m.spec, weights: memoryModel(SPECS.qwen2, 10).weights }, { dtype: "F32" });
    expect(() => model.weights).toThrow(`${join(other, "model.safetensors")}: changed since the checkpoint was loaded`);
  });

  it("readWeights on an undecoded model does not make the model keep them", async () => {
    const model = await loadModel(ckpt);
    decodes.n = 0;
    const a = model.readWeights!(), b = model.readWeights!();
    expect(a).not.toBe(b); // each call decodes afresh: nothing was kept
    expect(decodes.n).toBe(2);
    expect(model.weights).not.toBe(a);
  });
});
