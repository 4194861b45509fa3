import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { saveModel } from "../../lib/checkpoint/save";
import { createEngine } from "../../lib/engine";
import { memoryModel, randomIds, SPECS } from "../engine/fixtures";

/**
 * Weights held once: loadModel validates a checkpoint without decoding it, an engine build streams it through
 * the graph one stored tensor at a time, each read once (the model keeps nothing), and an engine whose graphs are
 * cached never reads it. Counted on readStoredTensor, the one function that turns stored tensors into fp32 arrays.
 */
const decodes = vi.hoisted(() => ({ n: 0 }));
vi.mock("../../lib/checkpoint/safetensors", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../lib/checkpoint/safetensors")>();
  return { ...real, readStoredTensor: (...a: Parameters<typeof real.readStoredTensor>) => { decodes.n++; return real.readStoredTensor(...a); } };
});

const dir = mkdtempSync(join(tmpdir(), "lazy-weights-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const m = memoryModel(SPECS.qwen2, 9);
const ckpt = join(dir, "ckpt"), cacheDir = join(dir, "cache");
saveModel(ckpt, { spec: m.spec, weights: m.weights }, { dtype: "BF16" });
const ids = randomIds(m.spec, [5, 3], 4);
const stored = m.weights.size; // qwen2 stores each canonical tensor as one tensor

describe("weights held once", () => {
  it("loadModel reads no weights into fp32; the first access decodes once and keeps them", async () => {
    decodes.n = 0;
    const model = await loadModel(ckpt);
    expect(decodes.n).toBe(0);
    const w = model.weights;
    expect(decodes.n).toBe(stored);
    expect(model.weights).toBe(w);
    expect(model.readTensor!("embed.weight")).toBe(w.get("embed.weight")); // already decoded: shared, not read again
    expect(decodes.n).toBe(stored);
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
    expect(decodes.n).toBe(stored); // every stored tensor read once for the graph build (variants read none)
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

  it("readTensor on an undecoded model reads one tensor and keeps nothing", async () => {
    const model = await loadModel(ckpt);
    decodes.n = 0;
    const a = model.readTensor!("layers.0.attn.q.weight"), b = model.readTensor!("layers.0.mlp.up.weight");
    expect(decodes.n).toBe(2);
    expect(a.shape).toEqual(m.weights.get("layers.0.attn.q.weight")!.shape);
    expect(model.readTensor!("layers.0.attn.q.weight").data).not.toBe(a.data); // read afresh: nothing was kept
    expect(decodes.n).toBe(3);
    expect(model.weights.get("layers.0.mlp.up.weight")!.data).toEqual(b.data);
    expect(() => model.readTensor!("layers.0.attn.nope")).toThrow("no canonical tensor 'layers.0.attn.nope'");
  });

  it("a graph build streams several variants and weight formats from one read per tensor, same numbers as the in-memory model", async () => {
    const cache2 = join(dir, "cache2");
    for (const weights of ["fp32", "int4"] as const) {
      const model = await loadModel(ckpt);
      decodes.n = 0;
      const engine = await createEngine(model, { threads: 1, cacheDir: cache2, weights });
      try {
        const fwd = (await engine.forward(ids)).logits;
        await engine.generate([[1, 2, 3]], { maxNewTokens: 3, eosTokenIds: [] }); // prefill + decode variants
        expect(decodes.n).toBe(stored); // the full graph's weight file; the other variants read nothing
        const mem = await createEngine(await loadModel(ckpt), { threads: 1, cacheDir: null, weights });
        try { expect((await mem.forward(ids)).logits).toEqual(fwd); } finally { await mem.dispose(); }
      } finally { await engine.dispose(); }
    }
  });
});
