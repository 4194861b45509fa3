import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { readSafetensors } from "../../lib/checkpoint/safetensors";
import { setProgressMode } from "../../lib/util/progress";

/**
 * Checkpoints written by Python transformers' save_pretrained (tests/fixtures/hf, see its README): loading
 * them validates the tables' Hugging Face names, layouts and config fields against the real library.
 * Canonical values are compared with the raw stored tensors through the documented transforms, written out
 * independently here.
 */
setProgressMode("off");
const fixtures = join(process.cwd(), "tests", "fixtures", "hf");
const model = (name: string) => join(fixtures, name, "model");
const raw = (name: string) => readSafetensors(join(model(name), "model.safetensors")).tensors;
const has = (name: string) => existsSync(join(model(name), "config.json"));

describe.skipIf(!existsSync(fixtures))("real Hugging Face checkpoints", () => {
  it.skipIf(!has("llama"))("llama: GQA and llama3 rope scaling from the legacy config form", async () => {
    const m = await loadModel(model("llama"));
    expect(m.spec).toMatchObject({ arch: "llama", nLayers: 2, hidden: 32, nHeads: 4, nKvHeads: 2, headDim: 8, tieEmbeddings: false });
    expect(m.spec.positions).toMatchObject({ kind: "rope", scaling: { type: "llama3" } });
    const r = raw("llama");
    expect(m.weights.get("layers.1.attn.k.weight")!.data).toEqual(r.get("model.layers.1.self_attn.k_proj.weight")!.data);
    expect(m.weights.get("layers.0.ln_mlp.weight")!.data).toEqual(r.get("model.layers.0.post_attention_layernorm.weight")!.data);
    expect(m.weights.get("lm_head.weight")!.data).toEqual(r.get("lm_head.weight")!.data);
  });

  it.skipIf(!has("llama-bf16"))("llama-bf16: bfloat16 storage upcasts to the same values as the stored bits", async () => {
    const m = await loadModel(model("llama-bf16"));
    expect(m.info.dtype).toBe("BF16");
    const bits = new Uint32Array(m.weights.get("embed.weight")!.data.buffer);
    bits.forEach((b) => expect(b & 0xffff).toBe(0));
  });

  it.skipIf(!has("qwen2"))("qwen2: q/k/v biases, tied embeddings, linear rope from rope_parameters", async () => {
    const m = await loadModel(model("qwen2"));
    expect(m.spec).toMatchObject({ arch: "qwen2", bias: { qkv: true, o: false, mlp: false }, tieEmbeddings: true });
    expect(m.spec.positions).toMatchObject({ kind: "rope", scaling: { type: "linear" } });
    expect(m.weights.has("lm_head.weight")).toBe(false);
    expect(m.weights.get("layers.0.attn.v.bias")!.data).toEqual(raw("qwen2").get("model.layers.0.self_attn.v_proj.bias")!.data);
  });

  it.skipIf(!has("mistral"))("mistral: sliding window on all layers", async () => {
    const m = await loadModel(model("mistral"));
    expect(m.spec.slidingWindow).toEqual({ size: 4, layers: "all" });
  });

  it.skipIf(!has("gemma2"))("gemma2: norms folded (+1), sandwich norms, softcaps, query_pre_attn_scalar, even-layer windows", async () => {
    const m = await loadModel(model("gemma2"));
    expect(m.spec).toMatchObject({
      arch: "gemma2", sandwichNorms: true, attnScale: 16 ** -0.5, attnSoftcap: 2, finalSoftcap: 3,
      slidingWindow: { size: 4, layers: "even" }, embedScale: Math.sqrt(32), act: "gelu_tanh", tieEmbeddings: true,
    });
    const r = raw("gemma2");
    const pairs: [string, string][] = [
      ["layers.1.ln_attn.weight", "model.layers.1.input_layernorm.weight"],
      ["layers.1.ln_attn_post.weight", "model.layers.1.post_attention_layernorm.weight"],
      ["layers.1.ln_mlp.weight", "model.layers.1.pre_feedforward_layernorm.weight"],
      ["layers.1.ln_mlp_post.weight", "model.layers.1.post_feedforward_layernorm.weight"],
      ["final_norm.weight", "model.norm.weight"],
    ];
    for (const [c, h] of pairs) {
      const stored = r.get(h)!.data;
      m.weights.get(c)!.data.forEach((x, i) => expect(x).toBe(Math.fround(stored[i] + 1)));
    }
  });

  it.skipIf(!has("gpt2"))("gpt2: Conv1D transposed, c_attn split into q, k, v, LayerNorm biases, learned positions", async () => {
    const m = await loadModel(model("gpt2"));
    const H = m.spec.hidden;
    expect(m.spec).toMatchObject({ arch: "gpt2", norm: { kind: "layer" }, positions: { kind: "learned" }, intermediate: 64, maxPositions: 32 });
    const r = raw("gpt2");
    const prefix = r.has("transformer.h.0.attn.c_attn.weight") ? "transformer." : "";
    const cAttn = r.get(`${prefix}h.0.attn.c_attn.weight`)!.data; // [in, 3·out]
    const cBias = r.get(`${prefix}h.0.attn.c_attn.bias`)!.data;
    ["q", "k", "v"].forEach((p, part) => {
      const w = m.weights.get(`layers.0.attn.${p}.weight`)!.data; // [out, in]
      for (let o = 0; o < H; o++)
        for (let i = 0; i < H; i++) expect(w[o * H + i]).toBe(cAttn[i * 3 * H + part * H + o]);
      expect(m.weights.get(`layers.0.attn.${p}.bias`)!.data).toEqual(cBias.slice(part * H, (part + 1) * H));
    });
    const fc = r.get(`${prefix}h.1.mlp.c_fc.weight`)!.data; // [H, I]
    const up = m.weights.get("layers.1.mlp.up.weight")!.data; // [I, H]
    expect(up[5 * H + 3]).toBe(fc[3 * 64 + 5]);
    expect(m.weights.get("pos_embed.weight")!.data).toEqual(r.get(`${prefix}wpe.weight`)!.data);
  });
});
