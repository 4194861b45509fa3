import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeSafetensors } from "../../lib/checkpoint/safetensors";
import { main } from "../../lib/cli/main";
import { setProgressMode } from "../../lib/util/progress";
import { dataPath } from "../../lib/util/paths";

/**
 * The CLI refuses bad input with an exit code ≠ 0 and a message naming the file or option — never a silent
 * wrong result, a hang, or debris. Commands run in-process through main() (the same dispatch as the binary).
 */
const dir = mkdtempSync(join(tmpdir(), "steersynth-cli-validation-"));
const modelDir = join(dir, "m");
const H = 32, L = 2;

/** Run a command; returns the exit code and what it printed to stderr and stdout. */
async function cli(...argv: string[]): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [], out: string[] = [];
  const e = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => { err.push(a.join(" ")); });
  const o = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { out.push(a.join(" ")); });
  try {
    return { code: await main(argv), err: err.join("\n"), out: out.join("\n") };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

beforeAll(async () => {
  setProgressMode("off");
  const r = await cli("make-random", "--arch", "qwen2", "--out", modelDir, "--layers", String(L), "--hidden", String(H), "--vocab", "300", "--max-positions", "64");
  expect(r.code, r.err).toBe(0);
  file("ids.json", JSON.stringify([[5, 6, 7, 8]]));
});
afterAll(() => { setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

describe("option parsing", () => {
  it("rejects inherited object names as options (--toString, --constructor, --__proto__)", async () => {
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      const r = await cli("inspect", "--model", modelDir, `--${name}`, "x");
      expect(r.code).toBe(2);
      expect(r.err).toContain(`inspect: unknown option --${name}`);
    }
  });

  it("accepts only seeds in [0, 2^32 − 1]: 1e300, 2^32, -1 and 1.5 are errors, not aliases of another seed", async () => {
    for (const seed of ["1e300", "4294967296", "-1", "1.5"]) {
      const r = await cli("make-random", "--arch", "llama", "--out", join(dir, "s"), "--seed", seed);
      expect(r.code, seed).toBe(2);
      expect(r.err).toContain(`make-random: --seed must be an integer in [0, 4294967295], got '${seed}'`);
    }
    const g = await cli("generate", "--model", modelDir, "--ids", join(dir, "ids.json"), "--max-new-tokens", "2", "--seed", "4294967296", "--out", join(dir, "g.jsonl"));
    expect(g.err).toContain("generate: --seed must be an integer in [0, 4294967295]");
    expect((await cli("make-random", "--arch", "llama", "--out", join(dir, "s"), "--seed", "4294967295", "--vocab", "300")).code).toBe(0);
  });

  it("train: --positives -5 and 1.5 are errors before any work", async () => {
    for (const v of ["-5", "1.5", "0"]) {
      const r = await cli("train", "--concept", "refusal", "--data", "real", "--positives", v, "--out", join(dir, "R.json"), "--model", join(dir, "nowhere"));
      expect(r.code, v).toBe(2);
      expect(r.err).toContain(`train: --positives must be an integer ≥ 1, got '${v}'`);
    }
  });
});

describe("hidden: vector files", () => {
  const run = (vector: string, ...extra: string[]) =>
    cli("hidden", "--model", modelDir, "--ids", join(dir, "ids.json"), "--out", join(dir, "h.safetensors"), "--vector", vector, ...extra);
  const raw = (name: string, tensors: Record<string, { dtype: string; values: number[] }>) => {
    // F64/I8 tensors, which encodeSafetensors does not write: built by hand.
    const bytes: Buffer[] = [];
    const header: Record<string, unknown> = {};
    let at = 0;
    for (const [n, t] of Object.entries(tensors)) {
      const b = t.dtype === "F64" ? Buffer.from(new Float64Array(t.values).buffer) : Buffer.from(Int8Array.from(t.values).buffer);
      header[n] = { dtype: t.dtype, shape: [t.values.length], data_offsets: [at, at + b.length] };
      at += b.length;
      bytes.push(b);
    }
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const p = join(dir, name);
    writeFileSync(p, Buffer.concat([len, json, ...bytes]));
    return p;
  };

  it("rejects F64 and I8 tensors (the contract is float32)", async () => {
    let r = await run(raw("f64.safetensors", { "direction.1": { dtype: "F64", values: new Array(H).fill(0.5) } }));
    expect(r.code).toBe(1);
    expect(r.err).toContain("f64.safetensors: 'direction.1' is F64; vector files hold float32 (F32) tensors");
    r = await run(raw("i8.safetensors", { "direction.1": { dtype: "I8", values: new Array(H).fill(1) } }));
    expect(r.err).toContain("'direction.1' is I8");
  });

  it("rejects direction.01 (it would merge with direction.1)", async () => {
    const v = join(dir, "alias.safetensors");
    writeSafetensors(v, { "direction.1": { shape: [H], data: new Float32Array(H) }, "direction.01": { shape: [H], data: new Float32Array(H).fill(1) } });
    const r = await run(v);
    expect(r.code).toBe(1);
    expect(r.err).toContain("alias.safetensors: unexpected tensor 'direction.01'");
  });

  it("rejects a NaN vector and an alpha that overflows float32, writing nothing", async () => {
    const nan = new Float32Array(H).fill(0.1);
    nan[2] = NaN;
    writeSafetensors(join(dir, "nan.safetensors"), { "direction.1": { shape: [H], data: nan } });
    let r = await run(join(dir, "nan.safetensors"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("nan.safetensors: 'direction.1' holds a non-finite value (NaN at index 2)");
    writeSafetensors(join(dir, "ok.safetensors"), { "direction.1": { shape: [H], data: new Float32Array(H).fill(1) } });
    r = await run(join(dir, "ok.safetensors"), "--alpha", "1e39");
    expect(r.code).toBe(1);
    expect(r.err).toContain("is Infinity; steering vectors (strength × direction) must be finite");
    expect(existsSync(join(dir, "h.safetensors"))).toBe(false);
  });
});

describe("generate", () => {
  const gen = (...extra: string[]) => cli("generate", "--model", modelDir, "--ids", join(dir, "ids.json"), "--out", join(dir, "g.jsonl"), ...extra);
  const rows = () => readFileSync(join(dir, "g.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).ids as number[]);

  it("validates sampling options on the greedy path too (--top-p 5 at temperature 0)", async () => {
    const r = await gen("--max-new-tokens", "3", "--temperature", "0", "--top-p", "5");
    expect(r.code).toBe(2);
    expect(r.err).toContain("topP must be in (0, 1] (got 5)");
  });

  it("--top-p 1 alone samples at temperature 1, as --help says (not greedy)", async () => {
    const four = JSON.stringify(Array.from({ length: 8 }, (_, i) => [5 + i, 6, 7]));
    file("ids.json", four);
    expect((await gen("--max-new-tokens", "8", "--top-p", "1", "--seed", "3")).code).toBe(0);
    const topP1 = rows();
    expect((await gen("--max-new-tokens", "8", "--temperature", "1", "--seed", "3")).code).toBe(0);
    expect(rows()).toEqual(topP1);
    expect((await gen("--max-new-tokens", "8")).code).toBe(0);
    expect(rows()).not.toEqual(topP1);
    file("ids.json", JSON.stringify([[5, 6, 7, 8]]));
  });

  it("--max-new-tokens past the context (64 positions) is an error, even 1e9", async () => {
    for (const n of ["61", "1e9"]) {
      const r = await gen("--max-new-tokens", n);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`4 tokens + ${Number(n)} new tokens exceed the model's context of 64 positions`);
    }
  });

  it("an empty --prompts file is an error naming it", async () => {
    const r = await cli("generate", "--model", modelDir, "--prompts", file("empty.jsonl", "\n\n"), "--max-new-tokens", "2", "--out", join(dir, "g2.jsonl"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("empty.jsonl: no prompts");
    expect(existsSync(join(dir, "g2.jsonl"))).toBe(false);
  });

  it("an --out whose parent cannot be created fails at once (no endless mkdir under /proc)", async () => {
    const r = await gen("--max-new-tokens", "1", "--out", "/proc/steersynth-x/y.jsonl");
    expect(r.code).toBe(1);
    expect(r.err).toContain("cannot create the folder /proc/steersynth-x");
  });
});

describe("outputs are all or nothing", () => {
  it("extract --gguf <a folder> fails before writing V.safetensors and V.json", async () => {
    const pairs = file("pairs.jsonl", JSON.stringify({ positive_ids: [5, 6, 7], negative_ids: [5, 6, 8] }) + "\n" + JSON.stringify({ positive_ids: [9, 6], negative_ids: [9, 7] }) + "\n");
    const ggufDir = join(dir, "gguf-dir");
    mkdirSync(ggufDir);
    const out = join(dir, "V.safetensors");
    const r = await cli("extract", "--model", modelDir, "--pairs", pairs, "--method", "caa", "--layers", "1", "--out", out, "--gguf", ggufDir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${ggufDir}: is a folder; expected a file path to write`);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, "V.json"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("errors name the file", () => {
  it("diversity on one row", async () => {
    const one = file("one.jsonl", JSON.stringify({ text: "only one" }) + "\n");
    const r = await cli("diversity", "--input", one, "--out", join(dir, "D.json"));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${one}: set diversity compares responses with each other and needs at least 2 lines, got 1`);
  });

  it("merge on a corrupt or wrong-shaped shard file", async () => {
    const results = join(dir, "results");
    mkdirSync(join(results, "shards"), { recursive: true });
    const shard = join(results, "shards", "0-of-1.json");
    writeFileSync(shard, "{ not json");
    let r = await cli("merge", "--dir", results);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${shard}: not valid JSON`);
    writeFileSync(shard, JSON.stringify({ format: "steersynth.study-shard/1", study: "x", plan: "p", shard: { index: 0, count: 1 }, totalUnits: 1, units: [{ index: 0, id: "u", rows: [{ concept: "c" }] }] }));
    r = await cli("merge", "--dir", results);
    expect(r.err).toContain(`${shard}: units[0].rows[0].model must be a string`);
    writeFileSync(shard, JSON.stringify([1, 2]));
    r = await cli("merge", "--dir", results);
    expect(r.err).toContain(`${shard}: (root) must be an object`);
  });
});

describe("study: everything validated up front, --list included", () => {
  const base = JSON.parse(readFileSync(dataPath("studies", "default.json"), "utf8"));
  const study = async (patch: Record<string, unknown>, name: string) => {
    const cfg = file(`${name}.json`, JSON.stringify({ ...base, ...patch }));
    return cli("study", "--config", cfg, "--out", join(dir, "out"), "--list");
  };

  it("a name that is a path ('../x') is refused and writes nothing outside --out", async () => {
    for (const name of ["../x", "..", "a/b"]) {
      const r = await study({ name }, "badname");
      expect(r.code).toBe(1);
      expect(r.err).toContain("name must be made of letters, digits");
    }
    expect(existsSync(join(dir, "x"))).toBe(false);
  });

  it("--list rejects a layer that does not exist, an unknown concept and a missing model path", async () => {
    const model = { name: "m", path: modelDir, layers: [99] };
    let r = await study({ models: [model] }, "layer");
    expect(r.code).toBe(1);
    expect(r.err).toContain("layer.json: models[0].layers[0]: layer 99 does not exist (m has layers 0..1)");
    r = await study({ models: [{ ...model, layers: [1] }], concepts: ["nonsense"] }, "concept");
    expect(r.err).toContain("concept.json: concepts[0]:");
    expect(r.err).toContain("concept file not found");
    r = await study({ models: [{ ...model, path: join(dir, "missing-model") }] }, "path");
    expect(r.err).toContain(`path.json: models[0].path: no checkpoint at ${join(dir, "missing-model")}`);
    r = await study({ models: [{ ...model, layers: [1] }], concepts: ["refusal"], detector: { ...base.detector, layer: 5 } }, "det");
    expect(r.err).toContain("det.json: detector.layer: layer 5 does not exist");
    r = await study({ models: [{ ...model, layers: [1] }], concepts: ["refusal"] }, "good");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("refusal/m/caa/L1");
  });

  it("a seed above 2^32 − 1 is refused", async () => {
    const r = await study({ seed: 2 ** 32 }, "seed");
    expect(r.err).toContain("seed must be an integer in [0, 4294967295]");
  });
});
