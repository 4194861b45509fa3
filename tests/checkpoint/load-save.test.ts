import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ARCH_NAMES } from "../../lib/arch/index";
import type { ArchName } from "../../lib/arch/spec";
import { loadModel, randomWeights, saveModel, smallSpec } from "../../lib/checkpoint/index";
import { readSafetensors, writeSafetensors, type WriteTensor } from "../../lib/checkpoint/safetensors";
import { run as inspect } from "../../lib/cli/commands/inspect";
import { run as makeRandom } from "../../lib/cli/commands/make-random";
import { setProgressMode } from "../../lib/util/progress";

setProgressMode("off");
const root = mkdtempSync(join(tmpdir(), "ckpt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(root, `${name}-${n++}`);

/** make-random through its CLI entry point, silenced. */
async function makeRandomDir(arch: ArchName, extra: string[] = []): Promise<string> {
  const out = fresh(arch);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    expect(await makeRandom(["--arch", arch, "--out", out, "--seed", "7", "--vocab", "400", ...extra])).toBe(0);
  } finally {
    log.mockRestore();
  }
  return out;
}

/** Rewrite model.safetensors with a change applied to its (raw HF) tensors. */
function editTensors(dir: string, edit: (t: Map<string, WriteTensor>) => void): string {
  const file = join(dir, "model.safetensors");
  const { tensors, metadata } = readSafetensors(file);
  const m = new Map<string, WriteTensor>([...tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]));
  edit(m);
  writeSafetensors(file, Object.fromEntries(m), metadata);
  return file;
}

describe("make-random → loadModel round trip", () => {
  it.each(ARCH_NAMES)("%s: F32 weights come back bitwise, with spec, tokenizer and generation config", async (arch) => {
    const dir = await makeRandomDir(arch);
    const m = await loadModel(dir);
    expect(m.spec.arch).toBe(arch);
    expect(m.spec.vocabSize).toBe(400);
    const want = randomWeights(m.spec, 7);
    expect([...m.weights.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [name, t] of want) {
      const got = m.weights.get(name)!;
      expect(got.shape, name).toEqual(t.shape);
      expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(t.data.buffer)), name).toBe(true);
    }
    expect(m.info.dtype).toBe("F32");
    expect(m.info.parameters).toBe([...want.values()].reduce((s, t) => s + t.data.length, 0));
    expect(m.tokenizer!.vocabSize).toBe(400);
    expect(m.tokenizer!.decode(m.tokenizer!.encode("Round trip: ünïcode ✓"))).toBe("Round trip: ünïcode ✓");
    // ChatML: <|endoftext|> = 0, <|im_start|> = 1, <|im_end|> = 2.
    expect(m.generation).toEqual({ eosTokenIds: [2, 0], bosTokenId: null, padTokenId: 0 });
    expect(m.spec.eosTokenIds).toEqual([2, 0]);
  });

  it.each(["F16", "BF16"] as const)("%s weights come back within the dtype's precision", async (dtype) => {
    for (const arch of ["llama", "gemma2", "gpt2"] as ArchName[]) {
      const m = await loadModel(await makeRandomDir(arch, ["--dtype", dtype]));
      expect(m.info.dtype).toBe(dtype);
      // Relative rounding error: 2^-11 for F16, 2^-8 for BF16. Gemma's norms are stored as w-1 and the +1 is
      // added after rounding, so their error is relative to |w-1| (≤ 1 here): allow the same bound absolutely.
      const rel = dtype === "F16" ? 2 ** -11 : 2 ** -8;
      for (const [name, t] of randomWeights(m.spec, 7)) {
        const got = m.weights.get(name)!.data;
        let worst = 0;
        t.data.forEach((x, i) => { worst = Math.max(worst, Math.abs(got[i] - x) - rel * Math.max(Math.abs(x), arch === "gemma2" ? 1 : 0) - 1e-7); });
        expect(worst, `${arch} ${name}`).toBeLessThanOrEqual(0);
      }
    }
  });

  it.each(ARCH_NAMES)("%s: sharded checkpoints round trip and list every tensor in the index", async (arch) => {
    const dir = await makeRandomDir(arch, ["--shard-bytes", "60000"]);
    const shards = readdirSync(dir).filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f));
    expect(shards.length).toBeGreaterThan(1);
    expect(existsSync(join(dir, "model.safetensors"))).toBe(false);
    const index = JSON.parse(readFileSync(join(dir, "model.safetensors.index.json"), "utf8"));
    expect(new Set(Object.values(index.weight_map))).toEqual(new Set(shards));
    const m = await loadModel(dir);
    expect(m.info.files.length).toBe(shards.length);
    for (const [name, t] of randomWeights(m.spec, 7)) expect(Array.from(m.weights.get(name)!.data), name).toEqual(Array.from(t.data));
  });

  it("writes Gemma's norm weights unfolded (stored w - 1) and GPT-2's Conv1D weights as [in, out]", async () => {
    const g = await makeRandomDir("gemma2");
    const gm = await loadModel(g);
    const raw = readSafetensors(join(g, "model.safetensors")).tensors;
    const stored = raw.get("model.layers.0.post_attention_layernorm.weight")!.data;
    const effective = gm.weights.get("layers.0.ln_attn_post.weight")!.data;
    stored.forEach((w, i) => expect(w).toBe(Math.fround(effective[i] - 1)));

    const p = await makeRandomDir("gpt2");
    const pm = await loadModel(p);
    const H = pm.spec.hidden;
    const cAttn = readSafetensors(join(p, "model.safetensors")).tensors.get("transformer.h.1.attn.c_attn.weight")!;
    expect(cAttn.shape).toEqual([H, 3 * H]);
    const k = pm.weights.get("layers.1.attn.k.weight")!.data; // [out, in]
    for (const [o, i] of [[0, 0], [3, 17], [H - 1, H - 2]]) expect(k[o * H + i]).toBe(cAttn.data[i * 3 * H + H + o]);
  });

  it("replaces an existing folder as a whole", async () => {
    const dir = await makeRandomDir("llama", ["--shard-bytes", "60000"]);
    saveModel(dir, { spec: smallSpec("qwen2"), weights: randomWeights(smallSpec("qwen2"), 1) }, { dtype: "F32" });
    expect(readdirSync(dir).sort()).toEqual(["config.json", "generation_config.json", "model.safetensors"]);
    expect((await loadModel(dir)).spec.arch).toBe("qwen2");
    expect(readdirSync(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("inspect reports the checkpoint", async () => {
    const dir = await makeRandomDir("qwen2", ["--layers", "3", "--hidden", "48", "--heads", "6", "--kv-heads", "2", "--intermediate", "96"]);
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((s: string) => { lines.push(s); });
    try {
      expect(await inspect(["--model", dir, "--json"])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const facts = JSON.parse(lines.join("\n"));
    const m = await loadModel(dir);
    expect(facts).toMatchObject({
      architecture: "Qwen2ForCausalLM", layers: 3, hidden: 48, heads: 6, kvHeads: 2, headDim: 8, intermediate: 96, vocab: 400,
      dtype: "F32", parameters: m.info.parameters, tokenizer: true, chatTemplate: true,
    });
    // Hand count: embed (tied) + per layer [2 norms, q/k/v with biases, o, gate/up/down] + final norm.
    const H = 48, kv = 16, I = 96;
    const perLayer = 2 * H + (H * H + H) + 2 * (kv * H + kv) + H * H + 3 * H * I;
    expect(facts.parameters).toBe(400 * H + 3 * perLayer + H);
  });
});

describe("loadModel errors", () => {
  it("names a missing folder, config.json and weights file", async () => {
    await expect(loadModel(join(root, "nope"))).rejects.toThrow(/nope: no such checkpoint folder/);
    const dir = await makeRandomDir("llama");
    rmSync(join(dir, "model.safetensors"));
    await expect(loadModel(dir)).rejects.toThrow(/no model\.safetensors or model\.safetensors\.index\.json/);
    rmSync(join(dir, "config.json"));
    await expect(loadModel(dir)).rejects.toThrow(/no config\.json/);
  });

  it("names the file, tensor and expected shape of a missing or ill-shaped tensor", async () => {
    const a = await makeRandomDir("llama");
    const fa = editTensors(a, (t) => t.delete("model.layers.1.self_attn.k_proj.weight"));
    await expect(loadModel(a)).rejects.toThrow(`${fa}: missing tensor 'model.layers.1.self_attn.k_proj.weight' (expected shape [32, 64] from config.json)`);

    const b = await makeRandomDir("gpt2");
    const fb = editTensors(b, (t) => t.set("transformer.h.0.attn.c_attn.weight", { shape: [64, 64], data: new Float32Array(64 * 64) }));
    await expect(loadModel(b)).rejects.toThrow(`${fb}: tensor 'transformer.h.0.attn.c_attn.weight' has shape [64, 64], expected [64, 192] from config.json`);
  });

  it("rejects unknown tensors but accepts known buffers and GPT-2 names without the transformer. prefix", async () => {
    const a = await makeRandomDir("qwen2");
    const fa = editTensors(a, (t) => t.set("model.layers.0.self_attn.o_proj.bias", { shape: [64], data: new Float32Array(64) }));
    await expect(loadModel(a)).rejects.toThrow(`${fa}: unexpected tensors for Qwen2ForCausalLM with this config.json: 'model.layers.0.self_attn.o_proj.bias'`);

    const b = await makeRandomDir("gpt2");
    const before = (await loadModel(b)).weights; // decoded now: weights are read on first use, and the file changes below
    editTensors(b, (t) => {
      for (const [k, v] of [...t]) { t.delete(k); t.set(k.replace(/^transformer\./, ""), v); }
      t.set("h.0.attn.bias", { shape: [1, 1, 4, 4], data: new Float32Array(16) });
      t.set("h.1.attn.masked_bias", { shape: [], data: new Float32Array([-1e4]) });
    });
    const after = await loadModel(b);
    for (const [name, t] of before) expect(Array.from(after.weights.get(name)!.data), name).toEqual(Array.from(t.data));
  });

  it("names the index when a shard listed there is missing", async () => {
    const dir = await makeRandomDir("mistral", ["--shard-bytes", "60000"]);
    const shards = readdirSync(dir).filter((f) => f.startsWith("model-")).sort();
    expect(shards.length).toBeGreaterThan(1);
    rmSync(join(dir, shards[1]));
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, "model.safetensors.index.json")}: lists shard ${join(dir, shards[1])}, which does not exist`);
  });
});

describe("generation settings", () => {
  it("take generation_config.json first, then config.json, then tokenizer_config.json", async () => {
    const dir = await makeRandomDir("llama");
    writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: 5, bos_token_id: 3, temperature: 0.7, top_p: 0.9 }));
    expect((await loadModel(dir)).generation).toEqual({ eosTokenIds: [5], bosTokenId: 3, padTokenId: 0, temperature: 0.7, topP: 0.9 });

    rmSync(join(dir, "generation_config.json"));
    const cfgFile = join(dir, "config.json");
    const cfg = JSON.parse(readFileSync(cfgFile, "utf8"));
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, eos_token_id: [7, 8] }));
    expect((await loadModel(dir)).generation.eosTokenIds).toEqual([7, 8]);

    writeFileSync(cfgFile, JSON.stringify({ ...cfg, eos_token_id: null, pad_token_id: null }));
    // tokenizer_config.json: eos_token "<|im_end|>" (id 2), pad_token "<|endoftext|>" (id 0).
    expect((await loadModel(dir)).generation).toEqual({ eosTokenIds: [2], bosTokenId: null, padTokenId: 0 });
  });

  it("a checkpoint may have no tokenizer", async () => {
    const dir = fresh("bare");
    const spec = smallSpec("gemma2", { eosTokenIds: [1] });
    saveModel(dir, { spec, weights: randomWeights(spec, 3) }, { dtype: "BF16" });
    const m = await loadModel(dir);
    expect(m.tokenizer).toBeNull();
    expect(m.generation.eosTokenIds).toEqual([1]);
  });
});

describe("saving never deletes what it did not write", () => {
  const spec = smallSpec("qwen2");
  const contents = { spec, weights: randomWeights(spec, 1) };

  it("refuses a folder holding other files, and a file, unless force", () => {
    const dir = fresh("mine");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "mine");
    expect(() => saveModel(dir, contents, { dtype: "F32" })).toThrow(/mine-\d+: exists and is not a checkpoint folder \(it holds notes\.txt\); refusing to replace it \(use --force/);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
    const file = fresh("file");
    writeFileSync(file, "a file");
    expect(() => saveModel(file, contents, { dtype: "F32" })).toThrow(/exists and is a file, not a checkpoint folder/);
    expect(readFileSync(file, "utf8")).toBe("a file");
    // A checkpoint folder with a file of the user's beside it is not ours to delete either.
    const ckpt = fresh("ckpt");
    saveModel(ckpt, contents, { dtype: "F32" });
    writeFileSync(join(ckpt, "README.md"), "my notes");
    expect(() => saveModel(ckpt, contents, { dtype: "F32" })).toThrow(/holds README\.md/);
    expect(readdirSync(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
    // --force replaces it whatever it holds.
    saveModel(dir, contents, { dtype: "F32", force: true });
    expect(existsSync(join(dir, "notes.txt"))).toBe(false);
    saveModel(file, contents, { dtype: "F32", force: true });
    expect(statSync(file).isDirectory()).toBe(true);
  });

  it("replaces an empty folder and an existing checkpoint, through make-random too", async () => {
    const empty = fresh("empty");
    mkdirSync(empty);
    saveModel(empty, contents, { dtype: "F32" });
    expect(existsSync(join(empty, "config.json"))).toBe(true);
    const dir = await makeRandomDir("llama");
    writeFileSync(join(dir, "keep.txt"), "user file");
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await expect(makeRandom(["--arch", "llama", "--out", dir, "--vocab", "300"])).rejects.toThrow(/holds keep\.txt/);
      expect(readFileSync(join(dir, "keep.txt"), "utf8")).toBe("user file");
    } finally {
      err.mockRestore();
    }
  });

  it("fails with a clear error instead of spinning where the parent cannot be created (/proc)", () => {
    expect(() => saveModel("/proc/steersynth-x/y", contents, { dtype: "F32" })).toThrow(/cannot create the folder \/proc\/steersynth-x/);
  });
});

describe("weights must be finite", () => {
  it("names the file and tensor holding a NaN or Infinity", async () => {
    for (const bad of [NaN, Infinity]) {
      const dir = await makeRandomDir("llama");
      const file = editTensors(dir, (t) => { t.get("model.norm.weight")!.data[5] = bad; });
      await expect(loadModel(dir)).rejects.toThrow(`${file}: tensor 'model.norm.weight' holds a non-finite value (${bad} at flat index 5)`);
    }
  });
});

describe("config.json ranges at load", () => {
  it.each([["rope_theta", 0], ["rms_norm_eps", -1]])("rejects %s = %s naming the file", async (field, value) => {
    const dir = await makeRandomDir("llama");
    const cfgFile = join(dir, "config.json");
    const cfg = JSON.parse(readFileSync(cfgFile, "utf8"));
    delete cfg.rope_parameters;
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, [field]: value }));
    await expect(loadModel(dir)).rejects.toThrow(`${cfgFile}: field '${field}' must be a number > 0, got ${value}`);
  });
});

describe("chat templates", () => {
  it("a template that does not compile names its file, and only breaks chatting", async () => {
    const dir = await makeRandomDir("qwen2");
    writeFileSync(join(dir, "chat_template.jinja"), "{% for m in messages %}{{ m.content }");
    const m = await loadModel(dir); // inspect, hidden, generate --ids still work
    expect(m.tokenizer!.decode(m.tokenizer!.encode("still fine"))).toBe("still fine");
    expect(() => m.tokenizer!.applyChatTemplate([{ role: "user", content: "x" }])).toThrow(`${join(dir, "chat_template.jinja")}: the chat template does not compile`);
    const cfgFile = join(dir, "tokenizer_config.json");
    rmSync(join(dir, "chat_template.jinja"));
    writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(readFileSync(cfgFile, "utf8")), chat_template: "{{ bad syntax" }));
    const m2 = await loadModel(dir);
    expect(() => m2.tokenizer!.applyChatTemplate([{ role: "user", content: "x" }])).toThrow(`${cfgFile}: chat_template: the chat template does not compile`);
  });
});

describe("layer counts the checkpoint cannot hold (found by tests/fuzz/config.test.ts)", () => {
  it.each([1e308, 2 ** 53, 1e6])("num_hidden_layers = %s fails at once, naming config.json", async (layers) => {
    const dir = await makeRandomDir("mistral");
    const cfgFile = join(dir, "config.json");
    writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(readFileSync(cfgFile, "utf8")), num_hidden_layers: layers }));
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${cfgFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: (field 'num_hidden_layers' must be a positive integer|declares 1000000 layers, but .* holds only \\d+ tensors)`));
  });
});
