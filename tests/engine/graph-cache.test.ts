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
    // the embedding is looked up on the host (lib/engine/embedding): no graph gathers from it; the tied head is the only
    // node that reads it, so a graph without logits does not list it at all (onnxruntime would map it)
    expect(m.spec.tieEmbeddings).toBe(true);
    for (const g of graphs) {
      const proto = onnx.ModelProto.decode(readFileSync(join(cacheDir, g))).graph!;
      expect(proto.input!.map((i) => i.name)).toContain("inputs_embeds");
      expect(proto.input!.map((i) => i.name)).not.toContain("input_ids");
      const readers = proto.node!.filter((n) => n.input!.includes("embed.weight")).map((n) => n.opType);
      const hasLogits = proto.output!.some((o) => o.name === "logits");
      expect(readers).toEqual(hasLogits ? ["Gemm"] : []);
      expect(proto.initializer!.some((t) => t.name === "embed.weight")).toBe(hasLogits);
    }
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

  it("prepacked and unpacked sessions open the same graphs and weight file; logits differ by float rounding only", async () => {
    const cacheDir = join(dir, "shared");
    const before = readdirSync(cacheDir).sort();
    const model = await loadModel(join(dir, "gemma"));
    const ids = randomIds(model.spec, [5, 3], 2);
    const prepacked = await createEngine(model, { threads: 1, cacheDir });
    const unpacked = await createEngine(model, { threads: 1, cacheDir, prepack: false });
    try {
      const [a, b] = [(await prepacked.forward(ids)).logits, (await unpacked.forward(ids)).logits];
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeLessThan(1e-4); // float rounding only (quantize.test)
    } finally { await prepacked.dispose(); await unpacked.dispose(); }
    expect(readdirSync(cacheDir).sort()).toEqual(before);
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

describe("serializeModel and layoutShared", () => {
  it("the shared file holds every named weight, also one no node reads; a graph lists only the initializers its nodes read", () => {
    const b = new GraphBuilder();
    b.float("w", [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
    b.float("table", [2, 2], Float32Array.from([7, 8, 9, 10])); // read by the host only (as an untied embedding)
    b.output("y", b.op("MatMul", [b.input("x", "float", [1, 2]), "w"]), "float", [1, 3]);
    const { chunks, index } = layoutShared(b);
    expect(Object.keys(index)).toEqual(["w", "table"]);
    expect([...chunks].reduce((a, c) => a + c.byteLength, 0)).toBe(index.table.offset + 16);
    for (const placement of [{ kind: "inline" as const }, { kind: "shared" as const, fileName: "f.weights", index }])
      expect(onnx.ModelProto.decode(serializeModel(b, placement)).graph!.initializer!.map((t) => t.name)).toEqual(["w"]);
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
