import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { saveModel } from "../../lib/checkpoint/save";
import { createEngine } from "../../lib/engine";
import { GraphBuilder, layoutShared, serializeModel } from "../../lib/engine/onnx-builder";
import { pruneCache } from "../../lib/engine/session";
import { memoryModel, randomIds, SPECS } from "./fixtures";

const { onnx } = onnxProto;

/** The on-disk graph cache: one shared ONNX external-data file per checkpoint, one small graph per variant. */
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
    const files = readdirSync(cacheDir).sort();
    // the checkpoint's weight file, its index, and only the variant used
    expect(files.map((f) => f.replace(/^mistral-[0-9a-f]{16}/, "G").replace(/\.[0-9a-f]{16}\.onnx$/, ".V.onnx"))).toEqual(["G.V.onnx", "G.weights", "G.weights.json"]);
    const built = files.map((f) => statSync(join(cacheDir, f)).ino);
    const second = await run();
    expect(readdirSync(cacheDir).sort()).toEqual(files);
    expect(files.map((f) => statSync(join(cacheDir, f)).ino)).toEqual(built); // reused, not rewritten
    expect(second.logits).toEqual(first.logits);
    // new weights (a rewritten checkpoint) → a new cache entry
    saveModel(join(dir, "ckpt"), { spec: m.spec, weights: memoryModel(SPECS.mistral, 4).weights }, { dtype: "F32" });
    const third = await run();
    expect(readdirSync(cacheDir)).toHaveLength(6);
    expect(third.logits).not.toEqual(first.logits);
  });

  it("every variant refers to one weight file; outputs are bit-identical to the inline graphs", async () => {
    const m = memoryModel(SPECS.gemma2, 5);
    const ckpt = join(dir, "gemma"), cacheDir = join(dir, "shared");
    saveModel(ckpt, { spec: m.spec, weights: m.weights }, { dtype: "F32" });
    const ids = randomIds(m.spec, [5, 3], 2);
    const one = { add: { "1.resid_post": Float32Array.from({ length: m.spec.hidden }, (_, i) => 2 * Math.sin(i)) }, window: "all" as const };
    const steering = [one, null];
    const use = async (engine: Awaited<ReturnType<typeof createEngine>>) => {
      try {
        const f = await engine.forward(ids, { steering });
        const c = await engine.forward(ids, { capture: { sites: ["resid_post"], layers: [0, 1] }, logits: "none" });
        const g = await engine.generate(ids, { maxNewTokens: 4, steering });
        return { f: f.logits, c: [...c.captures.values()], g: g.map((r) => r.ids) };
      } finally { await engine.dispose(); }
    };
    const model = await loadModel(ckpt);
    const cached = await use(await createEngine(model, { threads: 1, cacheDir }));
    const inline = await use(await createEngine(model, { threads: 1, cacheDir: null }));
    expect(cached).toEqual(inline);

    const files = readdirSync(cacheDir);
    const graphs = files.filter((f) => f.endsWith(".onnx"));
    expect(graphs.length).toBeGreaterThanOrEqual(3); // forward, capture, decode (+ prefill)
    expect(files.filter((f) => f.endsWith(".weights"))).toHaveLength(1);
    const weightBytes = [...model.weights.values()].reduce((a, t) => a + t.data.byteLength, 0);
    const dataBytes = statSync(join(cacheDir, files.find((f) => f.endsWith(".weights"))!)).size;
    const graphBytes = graphs.reduce((a, f) => a + statSync(join(cacheDir, f)).size, 0);
    // the data file holds the weights once (fused q|k|v and gate|up are re-laid-out, not duplicated; 64-byte padding)
    expect(dataBytes).toBeGreaterThanOrEqual(weightBytes * 0.9);
    expect(dataBytes).toBeLessThanOrEqual(weightBytes * 1.1);
    // prepacked, the tied head reads the embedding's bytes under a name of its own (graph.ts tiedHead: onnxruntime can
    // then release the head's mapping after packing), stored once: both initializers point at the same range
    expect(m.spec.tieEmbeddings).toBe(true);
    const where = (t: onnxProto.onnx.ITensorProto) => t.externalData!.filter((e) => e.key !== "location").map((e) => [e.key, e.value]);
    const full = onnx.ModelProto.decode(readFileSync(join(cacheDir, graphs[0]))).graph!;
    const init = (n: string) => full.initializer!.find((t) => t.name === n)!;
    expect(where(init("lm_head.tied"))).toEqual(where(init("embed.weight")));
    expect(full.node!.filter((n) => n.input!.includes("embed.weight")).map((n) => n.opType)).toEqual(["Gather"]);
    expect(full.node!.filter((n) => n.input!.includes("lm_head.tied")).map((n) => n.opType)).toEqual(["Gemm"]);
    // the graphs hold no weights themselves: every initializer of 1 KiB or more points into the one weight file
    const weightsFile = files.find((f) => f.endsWith(".weights"))!;
    for (const g of graphs) {
      const proto = onnx.ModelProto.decode(readFileSync(join(cacheDir, g)));
      const inits = proto.graph!.initializer!;
      const external = inits.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
      expect(external.length).toBeGreaterThan(0);
      for (const t of external) expect(t.externalData!.find((e) => e.key === "location")!.value).toBe(weightsFile);
      for (const t of inits.filter((t) => t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL)) expect(t.rawData!.byteLength).toBeLessThan(1024);
    }
  });

  it("without prepacking a tied head reads the embedding itself (two mappings of one range would count it twice), same weight file", async () => {
    const cacheDir = join(dir, "shared");
    const before = readdirSync(cacheDir).filter((f) => f.endsWith(".weights"));
    const model = await loadModel(join(dir, "gemma"));
    const ids = randomIds(model.spec, [5, 3], 2);
    const prepacked = await createEngine(model, { threads: 1, cacheDir });
    const unpacked = await createEngine(model, { threads: 1, cacheDir, prepack: false });
    try {
      const [a, b] = [(await prepacked.forward(ids)).logits, (await unpacked.forward(ids)).logits];
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeLessThan(1e-4); // float rounding only (quantize.test)
    } finally { await prepacked.dispose(); await unpacked.dispose(); }
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".weights"))).toEqual(before);
    const graphs = readdirSync(cacheDir).filter((f) => f.endsWith(".onnx")).map((f) => onnx.ModelProto.decode(readFileSync(join(cacheDir, f))).graph!);
    const withAlias = graphs.filter((g) => g.initializer!.some((t) => t.name === "lm_head.tied"));
    expect(withAlias.length).toBeGreaterThan(0);
    expect(withAlias.length).toBeLessThan(graphs.length);
    const unpackedWithLogits = graphs.filter((g) => !withAlias.includes(g) && g.output!.some((o) => o.name === "logits"));
    expect(unpackedWithLogits.length).toBeGreaterThan(0); // the unpacked forward's graph, at least
    for (const g of unpackedWithLogits) expect(g.node!.filter((n) => n.input!.includes("embed.weight")).map((n) => n.opType).sort()).toEqual(["Gather", "Gemm"]);
  });

  it("a cached graph whose weight file was deleted is rebuilt, not opened broken", async () => {
    const cacheDir = join(dir, "shared");
    for (const f of readdirSync(cacheDir).filter((f) => f.endsWith(".weights"))) rmSync(join(cacheDir, f));
    const engine = await createEngine(await loadModel(join(dir, "gemma")), { threads: 1, cacheDir });
    try {
      const r = await engine.forward(randomIds(engine.model.spec, [4], 3));
      expect(r.logits.length).toBe(4 * engine.model.spec.vocabSize);
    } finally { await engine.dispose(); }
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".weights"))).toHaveLength(1);
  });
});

describe("GraphBuilder.alias", () => {
  it("shares the original's bytes in a shared weight file, copies them inline, and refuses a dangling alias", () => {
    const b = new GraphBuilder();
    let reads = 0;
    b.float("w", [2, 3], () => { reads++; return Float32Array.from([1, 2, 3, 4, 5, 6]); });
    b.float("v", [1], Float32Array.from([7]));
    expect(b.alias("w2", "w")).toBe("w2");
    b.op("Add", [b.op("MatMul", [b.input("x", "float", [1, 2]), "w"]), b.op("MatMul", [b.input("y", "float", [1, 2]), "w2"])]);
    const { chunks, index } = layoutShared(b);
    expect(Object.keys(index).sort()).toEqual(["v", "w"]); // an alias has no entry, hence no bytes, of its own
    const bytes = [...chunks].reduce((a, c) => a + c.byteLength, 0);
    expect(bytes).toBe(index.v.offset + 4); // w (24 bytes), padding to 64, v: no second copy of w
    expect(reads).toBe(1);
    const shared = onnx.ModelProto.decode(serializeModel(b, { kind: "shared", fileName: "f.weights", index })).graph!.initializer!;
    const where = (n: string) => shared.find((t) => t.name === n)!.externalData!.map((e) => `${e.key}=${e.value}`);
    expect(where("w2")).toEqual(where("w"));
    expect(where("w2")).toEqual(["location=f.weights", "offset=0", "length=24"]);
    const inline = onnx.ModelProto.decode(serializeModel(b, { kind: "inline" })).graph!.initializer!;
    const raw = (n: string) => [...new Float32Array(Uint8Array.from(inline.find((t) => t.name === n)!.rawData!).buffer)];
    expect(raw("w2")).toEqual(raw("w"));
    expect(raw("w2")).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => b.alias("u", "nope")).toThrow("alias 'u' of undefined initializer 'nope'");
    expect(() => b.alias("u", "w2")).toThrow("alias 'u' of alias 'w2' (alias the original, 'w')");
  });
});

describe("graph cache pruning", () => {
  it("deletes least recently used checkpoints (weights, index, graphs together) until the cache fits, never one in use", () => {
    const cache = join(dir, "prune");
    mkdirSync(cache);
    const file = (name: string, bytes: number, usedSecondsAgo: number) => {
      const p = join(cache, name);
      writeFileSync(p, new Uint8Array(bytes));
      const t = new Date(Date.now() - usedSecondsAgo * 1000);
      utimesSync(p, t, t);
    };
    const group = (g: string, weights: number, usedSecondsAgo: number) => {
      file(`${g}.weights`, weights, usedSecondsAgo);
      file(`${g}.weights.json`, 10, usedSecondsAgo);
      file(`${g}.aaaa.onnx`, 40, usedSecondsAgo + 50);
    };
    group("old", 450, 300); // 500 bytes, least recently used
    group("mid", 250, 200);
    group("keep", 250, 1000); // oldest of all, but in use
    group("new", 250, 10);
    file("new.bbbb.onnx.tmp-123", 999, 5000); // a writer in progress: never counted or touched
    // 1400 bytes in all, limit 1000: "old" (500) goes; then 900 ≤ 1000.
    pruneCache(cache, new Set(["keep"]), 1000);
    const groups = () => [...new Set(readdirSync(cache).filter((f) => !f.includes(".tmp-")).map((f) => f.split(".")[0]))].sort();
    expect(groups()).toEqual(["keep", "mid", "new"]);
    expect(readdirSync(cache).filter((f) => f.startsWith("keep."))).toHaveLength(3);
    // limit 300: "mid" goes, "keep" is skipped though older, "new" goes: only the checkpoint in use stays.
    pruneCache(cache, new Set(["keep"]), 300);
    expect(groups()).toEqual(["keep"]);
    expect(readdirSync(cache)).toContain("new.bbbb.onnx.tmp-123");
  });
});
