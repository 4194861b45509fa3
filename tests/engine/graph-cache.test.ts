import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { saveModel } from "../../lib/checkpoint/save";
import { createEngine } from "../../lib/engine";
import { buildTransformerGraph } from "../../lib/engine/graph";
import { serializeModel } from "../../lib/engine/onnx-builder";
import { pruneCache } from "../../lib/engine/session";
import { memoryModel, randomIds, SPECS } from "./fixtures";

/** The on-disk graph cache and ONNX external data (the layout used above 1.5 GB of weights). */
const dir = mkdtempSync(join(tmpdir(), "steersynth-graph-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("graph cache", () => {
  it("builds a variant once, reuses it on the next load, and rebuilds when the checkpoint changes", async () => {
    const m = memoryModel(SPECS.mistral, 3);
    saveModel(join(dir, "ckpt"), { spec: m.spec, weights: m.weights }, { dtype: "F32" });
    const cacheDir = join(dir, "cache");
    const ids = randomIds(m.spec, [6, 4], 1);
    const run = async () => {
      const engine = await createEngine(await loadModel(join(dir, "ckpt")), { threads: 1, cacheDir });
      try { return await engine.forward(ids); } finally { await engine.dispose(); }
    };
    const first = await run();
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(1); // only the variant used was built
    const built = statSync(join(cacheDir, files[0])).ino;
    const second = await run();
    expect(readdirSync(cacheDir)).toEqual(files);
    expect(statSync(join(cacheDir, files[0])).ino).toBe(built); // reused, not rewritten
    expect(second.logits).toEqual(first.logits);
    // new weights (a rewritten checkpoint) → a new cache entry
    saveModel(join(dir, "ckpt"), { spec: m.spec, weights: memoryModel(SPECS.mistral, 4).weights }, { dtype: "F32" });
    const third = await run();
    expect(readdirSync(cacheDir)).toHaveLength(2);
    expect(third.logits).not.toEqual(first.logits);
  });

  it("a graph with external data gives the same outputs as the inline one", async () => {
    const m = memoryModel(SPECS.gemma2, 5);
    const variant = { logits: "all" as const, kv: false, capture: { sites: [], layers: [] } };
    const inline = serializeModel(buildTransformerGraph(m.spec, m.weights, variant), { kind: "inline" });
    const ext = serializeModel(buildTransformerGraph(m.spec, m.weights, variant), { kind: "external", fileName: "g.onnx.data", minBytes: 256 });
    expect(ext.external.length).toBeGreaterThan(0);
    expect(ext.model.byteLength).toBeLessThan(inline.model.byteLength / 4);
    writeFileSync(join(dir, "g.onnx"), ext.model);
    writeFileSync(join(dir, "g.onnx.data"), Buffer.concat(ext.external));
    const feeds = (): Record<string, ort.Tensor> => {
      const T = 5, B = 1;
      const f: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor("int64", BigInt64Array.from([3n, 9n, 4n, 7n, 11n]), [B, T]),
        attention_mask: new ort.Tensor("int64", new BigInt64Array(T).fill(1n), [B, T]),
        position_ids: new ort.Tensor("int64", BigInt64Array.from([0n, 1n, 2n, 3n, 4n]), [B, T]),
        steer_mask: new ort.Tensor("float32", new Float32Array(T), [B, T]),
      };
      for (let l = 0; l < m.spec.nLayers; l++) {
        f[`steer_resid.${l}`] = new ort.Tensor("float32", new Float32Array(m.spec.hidden), [B, m.spec.hidden]);
        f[`ablate_resid.${l}`] = new ort.Tensor("float32", new Float32Array(m.spec.hidden), [B, m.spec.hidden]);
        f[`steer_attn.${l}`] = new ort.Tensor("float32", new Float32Array(m.spec.nHeads * m.spec.headDim), [B, m.spec.nHeads * m.spec.headDim]);
      }
      return f;
    };
    const a = await ort.InferenceSession.create(inline.model);
    const b = await ort.InferenceSession.create(join(dir, "g.onnx"));
    const [ya, yb] = [(await a.run(feeds())).logits.data, (await b.run(feeds())).logits.data];
    expect(yb).toEqual(ya);
    await a.release();
    await b.release();
  });
});

describe("graph cache pruning", () => {
  it("deletes least recently used graphs with their data files until the cache fits, never the one in use", () => {
    const cache = join(dir, "prune");
    mkdirSync(cache);
    const entry = (name: string, bytes: number, usedSecondsAgo: number, data = 0) => {
      const p = join(cache, `${name}.onnx`);
      writeFileSync(p, new Uint8Array(bytes));
      if (data) writeFileSync(`${p}.data`, new Uint8Array(data));
      const t = new Date(Date.now() - usedSecondsAgo * 1000);
      utimesSync(p, t, t);
      return p;
    };
    entry("old", 100, 300, 400); // 500 bytes with its data file, least recently used
    entry("mid", 300, 200);
    const keep = entry("keep", 300, 1000); // oldest of all, but the graph being opened
    entry("new", 300, 10);
    // 1400 bytes in all, limit 1000: "old" (500) goes; then 900 ≤ 1000.
    pruneCache(cache, keep, 1000);
    expect(readdirSync(cache).sort()).toEqual(["keep.onnx", "mid.onnx", "new.onnx"]);
    // limit 300: "mid" goes, "keep" is skipped though older, "new" goes: only the graph in use stays.
    pruneCache(cache, keep, 300);
    expect(readdirSync(cache)).toEqual(["keep.onnx"]);
  });
});
