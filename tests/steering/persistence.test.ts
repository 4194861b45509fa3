import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSafetensorsHeader, writeSafetensors } from "../../lib/checkpoint/safetensors";
import {
  checkCompatible, createVector, decodeControlVector, difference, encodeControlVector, exportControlVector, importControlVector,
  loadVector, negate, provenancePath, saveVector, scale, sum, type ModelIdentity, type SteeringVector,
} from "../../lib/steering";
import { LLAMA_CPP_LAYERS } from "../../lib/steering/controlvector";
import { encodeGguf } from "../../lib/steering/gguf";
import { createRng } from "../../lib/util/rng";

const model: ModelIdentity = { name: "tiny", arch: "llama", hidden: 6, nLayers: 4, nHeads: 2, headDim: 3 };
const rand = (n: number, seed: number) => { const r = createRng(seed); return Float32Array.from({ length: n }, () => r.normal()); };
const vector = (layers: number[], seed = 1, m = model): SteeringVector => createVector({
  model: m, site: "resid_post", method: "caa", read: "last", dataset: "abc123",
  directions: new Map(layers.map((l) => [l, rand(m.hidden, seed + l)])),
  layerInfo: new Map(layers.map((l) => [l, { typicalNorm: 10 + l }])), details: { pairs: 8 },
});
const dir = mkdtempSync(join(tmpdir(), "steersynth-steering-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sameDirections = (a: SteeringVector, b: SteeringVector) => {
  expect([...b.directions.keys()]).toEqual([...a.directions.keys()]);
  for (const [l, d] of a.directions) expect(Array.from(b.directions.get(l)!)).toEqual(Array.from(d));
};

describe("safetensors + JSON provenance", () => {
  it("round-trips a vector exactly, with direction.<layer> F32 [hidden] tensors and V.json beside", () => {
    const v = vector([1, 3]);
    const file = join(dir, "v.safetensors");
    saveVector(file, v);
    const header = readSafetensorsHeader(file);
    expect(Object.keys(header.tensors).sort()).toEqual(["direction.1", "direction.3"]);
    expect(header.tensors["direction.1"]).toMatchObject({ dtype: "F32", shape: [6] });
    expect(provenancePath(file)).toBe(join(dir, "v.json"));
    const json = JSON.parse(readFileSync(join(dir, "v.json"), "utf8"));
    expect(json).toMatchObject({ format: "steersynth.steering-vector/1", method: "caa", read: "last", dataset: "abc123", layers: [1, 3], site: "resid_post", layerInfo: { "1": { typicalNorm: 11 } } });
    const back = loadVector(file);
    sameDirections(v, back);
    expect(back).toMatchObject({ model, site: "resid_post", method: "caa", read: "last", dataset: "abc123", details: { pairs: 8 } });
    expect(back.layerInfo.get(3)).toEqual({ typicalNorm: 13 });
  });

  it("refuses a vector for a model with another hidden size or layer count", () => {
    const v = vector([1]);
    const file = join(dir, "other.safetensors");
    saveVector(file, v);
    expect(() => loadVector(file, { ...model, hidden: 8 })).toThrow(/other\.safetensors: extracted for tiny with hidden = 6, but the model has hidden = 8/);
    expect(() => checkCompatible(v, { ...model, hidden: 8 })).toThrow(/extracted for tiny with hidden = 6, but the model has hidden = 8/);
    expect(() => checkCompatible(v, { ...model, nLayers: 2 })).toThrow(/nLayers = 4, but the model has nLayers = 2/);
    expect(() => createVector({ model, site: "resid_post", method: "x", directions: new Map([[4, rand(6, 1)]]) })).toThrow(/layer 4 does not exist \(tiny has 4 layers/);
    expect(() => createVector({ model, site: "resid_post", method: "x", directions: new Map([[0, rand(5, 1)]]) })).toThrow(/layer 0 has 5 values, expected 6/);
  });

  it("checks tensor names and dtypes before reading: direction.01 and F64 tensors are errors", () => {
    const meta = { steersynth: JSON.stringify({ format: "steersynth.steering-vector/1" }) };
    const alias = join(dir, "alias.safetensors");
    writeSafetensors(alias, { "direction.1": { shape: [6], data: rand(6, 1) }, "direction.01": { shape: [6], data: rand(6, 2) } }, meta);
    expect(() => loadVector(alias)).toThrow(/alias\.safetensors: unexpected tensor 'direction\.01'/);
    const half = join(dir, "half.safetensors");
    writeSafetensors(half, { "direction.1": { shape: [6], data: rand(6, 1), dtype: "F16" } }, meta);
    expect(() => loadVector(half)).toThrow(/half\.safetensors: 'direction\.1' is F16; vector files hold float32 \(F32\) tensors/);
  });
});

/** An independent, straight-line decoder of the GGUF bytes this test expects (v3, string/i32 KVs, 1-D F32 tensors). */
function handDecode(bytes: Uint8Array) {
  const b = Buffer.from(bytes);
  let at = 0;
  const u32 = () => { const v = b.readUInt32LE(at); at += 4; return v; };
  const u64 = () => { const v = Number(b.readBigUInt64LE(at)); at += 8; return v; };
  const str = () => { const n = u64(); const s = b.toString("utf8", at, at + n); at += n; return s; };
  const magic = b.toString("latin1", 0, 4); at = 4;
  const version = u32(), nTensors = u64(), nKv = u64();
  const kv: Record<string, unknown> = {};
  for (let i = 0; i < nKv; i++) {
    const key = str(), type = u32();
    if (type === 8) kv[key] = str();
    else if (type === 4) kv[key] = { u32: u32() };
    else if (type === 5) { kv[key] = { i32: b.readInt32LE(at) }; at += 4; }
    else throw new Error(`unexpected type ${type}`);
  }
  const infos = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str(), nDims = u32();
    const dims = Array.from({ length: nDims }, u64);
    infos.push({ name, dims, type: u32(), offset: u64() });
  }
  const dataStart = Math.ceil(at / 32) * 32;
  const tensors: Record<string, number[]> = {};
  for (const t of infos) tensors[t.name] = Array.from({ length: t.dims[0] }, (_, k) => b.readFloatLE(dataStart + t.offset + 4 * k));
  return { magic, version, kv, infos, dataStart, tensors, byteLength: b.length };
}

describe("GGUF control vectors", () => {
  it("writes bytes an independent decoder reads: header, metadata, tensor infos, 32-byte alignment, data", () => {
    const v = vector([1, 2]);
    const g = handDecode(encodeControlVector(v));
    expect(g.magic).toBe("GGUF");
    expect(g.version).toBe(3);
    expect(g.kv["general.architecture"]).toBe("controlvector");
    expect(g.kv["controlvector.model_hint"]).toBe("llama");
    // llama.cpp's cvector-generator writes layer_count with gguf_set_val_i32 (GGUF type 5): the same here.
    expect(g.kv["controlvector.layer_count"]).toEqual({ i32: 2 });
    expect(g.infos.map((t) => [t.name, t.dims, t.type])).toEqual([["direction.1", [6], 0], ["direction.2", [6], 0]]);
    expect(g.dataStart % 32).toBe(0);
    // ggml's layout: offsets are the running sum of 32-byte-padded sizes (24 bytes → 32), last tensor padded too.
    expect(g.infos.map((t) => t.offset)).toEqual([0, 32]);
    expect(g.byteLength).toBe(g.dataStart + 64);
    expect(g.tensors["direction.1"]).toEqual(Array.from(v.directions.get(1)!));
    expect(g.tensors["direction.2"]).toEqual(Array.from(v.directions.get(2)!));
  });

  it("round-trips through a file, provenance included", () => {
    const v = vector([1, 3]);
    const file = join(dir, "v.gguf");
    exportControlVector(file, v);
    const back = importControlVector(file, model);
    sameDirections(v, back);
    expect(back).toMatchObject({ method: "caa", read: "last", dataset: "abc123", site: "resid_post" });
  });

  it("imports a foreign control vector (no steersynth provenance) as method 'import'", () => {
    const foreign = encodeGguf(new Map([
      ["general.architecture", { type: "string", value: "controlvector" }],
      ["controlvector.model_hint", { type: "string", value: "mistral" }],
      ["controlvector.layer_count", { type: "u32", value: 1 }],
    ] as const), new Map([["direction.2", { shape: [6], data: rand(6, 5) }]]));
    const v = decodeControlVector(foreign, model, "foreign.gguf");
    expect(v.method).toBe("import");
    expect(v.details).toMatchObject({ modelHint: "mistral" });
    expect(Array.from(v.directions.get(2)!)).toEqual(Array.from(rand(6, 5)));
  });

  it("records llama.cpp's layer convention on a vector from its writer (layer_count i32), not on repeng's (u32)", () => {
    const file = (type: "i32" | "u32") => encodeGguf(new Map([
      ["general.architecture", { type: "string", value: "controlvector" }],
      ["controlvector.model_hint", { type: "string", value: "llama" }],
      ["controlvector.layer_count", { type, value: 1 }],
    ] as const), new Map([["direction.2", { shape: [6], data: rand(6, 5) }]]));
    const llamaCpp = decodeControlVector(file("i32"), model, "cvec.gguf");
    expect(llamaCpp.details).toMatchObject({ layerCountType: "i32", layerConvention: LLAMA_CPP_LAYERS });
    expect(String(llamaCpp.details.layerConvention)).toContain("measured at the output of block N-1");
    expect([...llamaCpp.directions.keys()]).toEqual([2]); // applied where llama.cpp applies it: block 2's output
    expect(decodeControlVector(file("u32"), model, "repeng.gguf").details.layerConvention).toBeUndefined();
  });

  it("rejects direction names that are not plain decimal (direction.01 would alias direction.1)", () => {
    const bytes = encodeGguf(new Map([["general.architecture", { type: "string", value: "controlvector" }]] as const),
      new Map([["direction.1", { shape: [6], data: rand(6, 1) }], ["direction.01", { shape: [6], data: rand(6, 2) }]]));
    expect(() => decodeControlVector(bytes, model, "alias.gguf")).toThrow(/alias\.gguf: unexpected tensor 'direction\.01'/);
  });

  it("errors clearly on what llama.cpp or the model cannot take", () => {
    expect(() => encodeControlVector(vector([0, 1]))).toThrow(/llama\.cpp cannot steer layer 0/);
    const attn = createVector({ model, site: "attn_out", method: "iti", directions: new Map([[1, rand(6, 1)]]) });
    expect(() => encodeControlVector(attn)).toThrow(/only resid_post vectors can be exported/);
    const bytes = encodeControlVector(vector([3]));
    expect(() => decodeControlVector(bytes, { ...model, hidden: 8 }, "v.gguf")).toThrow(/v\.gguf: tensor 'direction\.3' has 6 values but tiny has hidden size 8/);
    expect(() => decodeControlVector(bytes, { ...model, nLayers: 3 }, "v.gguf")).toThrow(/names layer 3 but tiny has 3 layers/);
    expect(() => decodeControlVector(new Uint8Array([1, 2, 3, 4, 5]), model, "x.gguf")).toThrow(/x\.gguf: not a GGUF file/);
    expect(() => decodeControlVector(bytes.subarray(0, 60), model, "t.gguf")).toThrow(/t\.gguf: truncated GGUF file/);
  });
});

describe("vector arithmetic (repeng's + − × and negation)", () => {
  it("sums layer by layer over the union of layers, scales and negates", () => {
    const a = vector([1, 2], 1), b = vector([2, 3], 7);
    const s = sum(a, b);
    expect([...s.directions.keys()]).toEqual([1, 2, 3]);
    s.directions.get(2)!.forEach((x, k) => expect(x).toBeCloseTo(a.directions.get(2)![k] + b.directions.get(2)![k], 6));
    expect(Array.from(s.directions.get(1)!)).toEqual(Array.from(a.directions.get(1)!));
    const d = difference(a, b);
    d.directions.get(3)!.forEach((x, k) => expect(x).toBeCloseTo(-b.directions.get(3)![k], 6));
    scale(a, 2.5).directions.get(1)!.forEach((x, k) => expect(x).toBeCloseTo(2.5 * a.directions.get(1)![k], 6));
    negate(a).directions.get(2)!.forEach((x, k) => expect(x).toBe(-a.directions.get(2)![k]));
    expect(scale(a, 2).layerInfo.get(1)).toEqual({ typicalNorm: 11 });
    expect(() => sum(a, vector([1], 1, { ...model, hidden: 4, nHeads: 2, headDim: 2 }))).toThrow(/vector arithmetic: extracted for tiny with hidden = 4/);
  });
});

