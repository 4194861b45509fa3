import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import onnxProto from "onnx-proto";
import { afterAll, describe, expect, it } from "vitest";
import { smallSpec } from "../../lib/checkpoint/random";
import { buildTransformerGraph } from "../../lib/engine/graph";
import { GraphBuilder, layoutShared, serializeModel } from "../../lib/engine/onnx-builder";
import { createRng } from "../../lib/util/rng";
import { strongRandomWeights } from "./fixtures";

const { onnx } = onnxProto;
const dir = mkdtempSync(join(tmpdir(), "steersynth-head-slices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The head as Gemms over row slices of its weight (graph.ts head; the slices are views into the weight's bytes,
 * GraphBuilder.rowsOf) must give exactly the logits of one Gemm: a slice splits the output columns, not a dot product.
 * Vocabulary 300 with 64-row slices: 4 full slices and a partial one.
 */
const FULL = { logits: "all" as const, kv: false, capture: { sites: [], layers: [] } };

/** Zero feeds for every graph input but the embeddings (random), positions (0..T−1) and the mask (all real). */
function feeds(b: GraphBuilder, B: number, T: number, H: number): Record<string, ort.Tensor> {
  const rng = createRng(9);
  const out: Record<string, ort.Tensor> = {};
  for (const input of b.inputs) {
    const name = input.name!;
    if (name === "inputs_embeds") out[name] = new ort.Tensor("float32", Float32Array.from({ length: B * T * H }, () => rng.normal()), [B, T, H]);
    else if (name === "position_ids") out[name] = new ort.Tensor("int64", BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T)), [B, T]);
    else if (name === "attention_mask") out[name] = new ort.Tensor("int64", new BigInt64Array(B * T).fill(1n), [B, T]);
    else if (name === "steer_mask") out[name] = new ort.Tensor("float32", new Float32Array(B * T), [B, T]);
    else {
      const width = Number(input.type!.tensorType!.shape!.dim![1].dimValue);
      out[name] = new ort.Tensor("float32", new Float32Array(B * width), [B, width]);
    }
  }
  return out;
}

async function logits(model: Uint8Array | string, f: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = typeof model === "string" ? await ort.InferenceSession.create(model, { intraOpNumThreads: 2 }) : await ort.InferenceSession.create(model, { intraOpNumThreads: 2 });
  try { return (await session.run(f)).logits.data as Float32Array; } finally { await session.release(); }
}

describe("the head over row slices of its weight", () => {
  it.each(["qwen2", "llama"] as const)("%s (tied: qwen2, untied: llama): bit-identical logits inline and from a shared weight file", async (arch) => {
    const spec = smallSpec(arch, { hidden: 32, nHeads: 4, nLayers: 2, vocabSize: 300, intermediate: 48, maxPositions: 64, eosTokenIds: [2], bosTokenId: 1, padTokenId: 0 });
    const weights = strongRandomWeights(spec, 4);
    const read = (n: string) => weights.get(n)!.data;
    const headName = spec.tieEmbeddings ? "embed.weight" : "lm_head.weight";
    const one = buildTransformerGraph(spec, read, FULL);
    const sliced = buildTransformerGraph(spec, read, FULL, "fp32", 64 * 32 * 4);
    const gemmsOn = (b: GraphBuilder) => b.nodes.filter((n) => n.opType === "Gemm" && n.input![1].startsWith(headName)).map((n) => n.input![1]);
    expect(gemmsOn(one)).toEqual([headName]);
    expect(gemmsOn(sliced)).toEqual([0, 64, 128, 192, 256].map((s) => `${headName}.rows${s}`));
    expect(sliced.initializers.get(`${headName}.rows256`)!.dims).toEqual([44, 32]);

    const f = feeds(one, 2, 5, spec.hidden);
    const reference = await logits(serializeModel(one, { kind: "inline" }), f);
    expect(reference.length).toBe(2 * 5 * 300);
    expect(await logits(serializeModel(sliced, { kind: "inline" }), f)).toEqual(reference);
    // shared: the slices are (offset, length) ranges of the head's one entry in the weight file
    const { chunks, index } = layoutShared(sliced);
    expect(Object.keys(index).filter((n) => n.startsWith(headName))).toEqual([headName]);
    writeFileSync(join(dir, `${arch}.weights`), Buffer.concat([...chunks]));
    const graph = serializeModel(sliced, { kind: "shared", fileName: `${arch}.weights`, index });
    const inits = onnx.ModelProto.decode(graph).graph!.initializer!;
    const offset = (n: string) => Number(inits.find((t) => t.name === n)!.externalData!.find((e) => e.key === "offset")!.value);
    expect(offset(`${headName}.rows128`)).toBe(index[headName].offset + 128 * 32 * 4);
    expect(inits.some((t) => t.name === headName)).toBe(false); // no node reads the whole head: not listed, not mapped
    writeFileSync(join(dir, `${arch}.onnx`), graph);
    expect(await logits(join(dir, `${arch}.onnx`), f)).toEqual(reference);
  });
});

describe("GraphBuilder.rowsOf", () => {
  it("is a range of its original's bytes in a shared file, a copy inline, and refuses what is not rows of a matrix", () => {
    const b = new GraphBuilder();
    let reads = 0;
    b.float("w", [3, 2], () => { reads++; return Float32Array.from([1, 2, 3, 4, 5, 6]); });
    expect(b.rowsOf("w.rows1", "w", 1, 2)).toBe("w.rows1");
    b.output("y", b.op("MatMul", [b.input("x", "float", [1, 2]), "w.rows1"]), "float", [1, 2]);
    const { chunks, index } = layoutShared(b);
    expect(Object.keys(index)).toEqual(["w"]);
    expect([...chunks].reduce((a, c) => a + c.byteLength, 0)).toBe(24);
    expect(reads).toBe(1);
    const shared = onnx.ModelProto.decode(serializeModel(b, { kind: "shared", fileName: "f.weights", index })).graph!.initializer!;
    expect(shared.map((t) => t.externalData!.map((e) => `${e.key}=${e.value}`))).toEqual([["location=f.weights", "offset=8", "length=16"]]);
    const inline = onnx.ModelProto.decode(serializeModel(b, { kind: "inline" })).graph!.initializer!;
    expect([...new Float32Array(Uint8Array.from(inline[0].rawData!).buffer)]).toEqual([3, 4, 5, 6]);
    expect(() => b.rowsOf("u", "nope", 0, 1)).toThrow("rows of 'nope': expected a 2-D initializer defined before (not a view)");
    expect(() => b.rowsOf("u", "w.rows1", 0, 1)).toThrow("rows of 'w.rows1'");
    expect(() => b.rowsOf("u", "w", 2, 2)).toThrow("rows [2, 4) of 'w', which has 3");
  });
});
