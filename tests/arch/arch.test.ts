import { describe, expect, it } from "vitest";
import { archByName, archForConfig, ARCH_NAMES, specToConfig } from "../../lib/arch/index";
import { expectedShapes } from "../../lib/arch/spec";
import { smallSpec } from "../../lib/checkpoint/random";

const llamaConfig = (over: Record<string, unknown> = {}) => ({
  architectures: ["LlamaForCausalLM"],
  vocab_size: 100, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
  num_attention_heads: 8, num_key_value_heads: 2, max_position_embeddings: 128,
  ...over,
});

describe("architecture registry", () => {
  it("picks the table by architectures[0] and lists the supported ones otherwise", () => {
    expect(archForConfig(llamaConfig(), "config.json").name).toBe("llama");
    expect(archForConfig({ architectures: ["Gemma2ForCausalLM"] }, "config.json").name).toBe("gemma2");
    expect(() => archForConfig({ architectures: ["BertModel"] }, "x/config.json"))
      .toThrow(/x\/config\.json: architecture 'BertModel' is not supported; supported: LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM, Gemma2ForCausalLM, GPT2LMHeadModel/);
    expect(() => archForConfig({}, "config.json")).toThrow(/config\.json: missing field 'architectures'/);
  });
});

describe("config parsing errors name the file and the field", () => {
  it("kv heads must divide heads", () => {
    expect(() => archByName("llama").parseConfig(llamaConfig({ num_key_value_heads: 3 }), "config.json"))
      .toThrow("config.json: num_key_value_heads (3) must divide num_attention_heads (8)");
    expect(() => archByName("gpt2").parseConfig({ architectures: ["GPT2LMHeadModel"], n_embd: 30, n_head: 4, n_layer: 1, n_positions: 8, vocab_size: 10 }, "g/config.json"))
      .toThrow("g/config.json: n_head (4) must divide n_embd (30)");
  });

  it("missing and ill-typed fields", () => {
    const { hidden_size: _, ...noHidden } = llamaConfig();
    expect(() => archByName("llama").parseConfig(noHidden, "config.json")).toThrow("config.json: missing field 'hidden_size' (a positive integer)");
    expect(() => archByName("qwen2").parseConfig(llamaConfig({ num_hidden_layers: "2" }), "config.json"))
      .toThrow(`config.json: field 'num_hidden_layers' must be a positive integer, got "2"`);
    expect(() => archByName("llama").parseConfig(llamaConfig({ hidden_act: "relu2" }), "config.json")).toThrow(/field 'hidden_act' is 'relu2'; supported/);
    expect(() => archByName("llama").parseConfig(llamaConfig({ rope_scaling: { rope_type: "yarn", factor: 2 } }), "config.json"))
      .toThrow(/rope_scaling\.rope_type 'yarn' is not supported/);
    expect(() => archByName("llama").parseConfig(llamaConfig({ rope_scaling: { rope_type: "llama3", factor: 8 } }), "config.json"))
      .toThrow("config.json: rope_scaling: missing field 'low_freq_factor' (a number)");
    expect(() => archByName("gemma2").parseConfig({ ...llamaConfig(), layer_types: ["full_attention", "sliding_attention"] }, "config.json"))
      .toThrow(/layer_types' has a pattern this toolkit does not support/);
  });
});

describe("config parsing", () => {
  it("reads RoPE parameters in the transformers 5 and the legacy layout alike", () => {
    const llama = archByName("llama");
    const scaling = { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 };
    const legacy = llama.parseConfig(llamaConfig({ rope_theta: 500000, rope_scaling: { type: "llama3", ...scaling } }), "c");
    const v5 = llama.parseConfig(llamaConfig({ rope_parameters: { rope_type: "llama3", rope_theta: 500000, ...scaling } }), "c");
    expect(v5).toEqual(legacy);
    expect(legacy.positions).toEqual({ kind: "rope", theta: 500000, scaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } });
    expect(llama.parseConfig(llamaConfig({ rope_scaling: { rope_type: "linear", factor: 2 } }), "c").positions)
      .toEqual({ kind: "rope", theta: 10000, scaling: { type: "linear", factor: 2 } });
  });

  it("applies each architecture's quirks", () => {
    const base = llamaConfig({ num_attention_heads: 4, head_dim: 12, attention_bias: true, mlp_bias: true });
    const l = archByName("llama").parseConfig(base, "c");
    expect(l).toMatchObject({ headDim: 12, nKvHeads: 2, bias: { qkv: true, o: true, mlp: true }, attnScale: 12 ** -0.5, tieEmbeddings: false });
    expect(expectedShapes(l).get("layers.0.attn.q.weight")).toEqual([48, 32]);
    expect(expectedShapes(l).get("layers.1.mlp.gate.bias")).toEqual([64]);

    const q = archByName("qwen2").parseConfig({ ...llamaConfig(), architectures: ["Qwen2ForCausalLM"], tie_word_embeddings: true }, "c");
    expect(q).toMatchObject({ bias: { qkv: true, o: false, mlp: false }, tieEmbeddings: true, slidingWindow: null });

    const m = archByName("mistral");
    expect(m.parseConfig({ ...llamaConfig(), sliding_window: 16 }, "c").slidingWindow).toEqual({ size: 16, layers: "all" });
    expect(m.parseConfig({ ...llamaConfig(), sliding_window: null }, "c").slidingWindow).toBeNull();

    const g = archByName("gemma2").parseConfig({
      ...llamaConfig(), head_dim: 8, query_pre_attn_scalar: 16, attn_logit_softcapping: 50.0, final_logit_softcapping: null,
      sliding_window: 4, hidden_activation: "gelu_pytorch_tanh",
    }, "c");
    expect(g).toMatchObject({
      act: "gelu_tanh", embedScale: Math.sqrt(32), sandwichNorms: true, attnScale: 0.25, attnSoftcap: 50, finalSoftcap: null,
      slidingWindow: { size: 4, layers: "even" }, tieEmbeddings: true,
    });

    const gpt = archByName("gpt2").parseConfig({ architectures: ["GPT2LMHeadModel"], n_embd: 32, n_head: 4, n_layer: 1, n_positions: 16, vocab_size: 10, n_inner: null }, "c");
    expect(gpt).toMatchObject({ intermediate: 128, act: "gelu_tanh", norm: { kind: "layer", eps: 1e-5 }, positions: { kind: "learned" }, mlp: "plain", tieEmbeddings: true });
  });

  it("config.json written for a spec reads back as the same spec, for every architecture", () => {
    for (const arch of ARCH_NAMES) {
      const spec = smallSpec(arch, { eosTokenIds: [3, 4], bosTokenId: 1, padTokenId: 0 });
      const table = archByName(arch);
      expect(table.parseConfig(specToConfig(spec), "c")).toEqual(spec);
    }
    const scaled = smallSpec("llama", { positions: { kind: "rope", theta: 5e5, scaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 128 } } });
    expect(archByName("llama").parseConfig(specToConfig(scaled), "c")).toEqual(scaled);
  });

  it("refuses a spec the architecture's config cannot express", () => {
    expect(() => specToConfig({ ...smallSpec("llama"), attnScale: 0.5 })).toThrow(/llama config\.json cannot express this spec \(attnScale: 0\.5 is read back as 0\.25\)/);
    expect(() => smallSpec("gpt2", { positions: { kind: "rope", theta: 1e4, scaling: null } })).toThrow(/positions/);
    expect(() => smallSpec("qwen2", { nKvHeads: 3 })).toThrow(/num_key_value_heads \(3\) must divide num_attention_heads \(4\)/);
  });
});

describe("tensor rules", () => {
  it("cover exactly the canonical tensors of the spec, for every architecture", () => {
    for (const arch of ARCH_NAMES) {
      const spec = smallSpec(arch);
      const canonical = archByName(arch).tensorRules(spec).flatMap((r) => r.canonical);
      expect(new Set(canonical).size).toBe(canonical.length);
      expect(new Set(canonical)).toEqual(new Set(expectedShapes(spec).keys()));
    }
  });

  it("split GPT-2's fused Conv1D c_attn into [out, in] q, k, v (hand-built example)", () => {
    // hidden 2, one head: c_attn.weight is [in=2, out=6] with W[i][j] = 6i + j, bias [0..5].
    const spec = smallSpec("gpt2", { hidden: 2, nHeads: 1, intermediate: 4, vocabSize: 3, maxPositions: 4 });
    const rules = archByName("gpt2").tensorRules(spec);
    const cAttn = rules.find((r) => r.hf === "transformer.h.0.attn.c_attn.weight")!;
    expect(cAttn.hfShape).toEqual([2, 6]);
    const W = Float32Array.from({ length: 12 }, (_, k) => k);
    const [q, k, v] = cAttn.toCanonical(W);
    expect(Array.from(q)).toEqual([0, 6, 1, 7]);
    expect(Array.from(k)).toEqual([2, 8, 3, 9]);
    expect(Array.from(v)).toEqual([4, 10, 5, 11]);
    expect(Array.from(cAttn.toHf([q, k, v]))).toEqual(Array.from(W));
    // The Linear convention (y_o = Σ_i M[o][i] x_i) on canonical q reproduces Conv1D's y = x·W on columns 0..1.
    const x = [1, 2];
    const conv = [0, 1].map((j) => x[0] * W[j] + x[1] * W[6 + j]);
    const linear = [0, 1].map((o) => q[o * 2] * x[0] + q[o * 2 + 1] * x[1]);
    expect(linear).toEqual(conv);

    const bias = rules.find((r) => r.hf === "transformer.h.0.attn.c_attn.bias")!;
    expect(bias.toCanonical(Float32Array.from([0, 1, 2, 3, 4, 5])).map((b) => Array.from(b))).toEqual([[0, 1], [2, 3], [4, 5]]);

    const fc = rules.find((r) => r.hf === "transformer.h.0.mlp.c_fc.weight")!;
    expect(fc.hfShape).toEqual([2, 4]);
    expect(Array.from(fc.toCanonical(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]))[0])).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    expect(archByName("gpt2").normalizeName!("h.0.ln_1.weight")).toBe("transformer.h.0.ln_1.weight");
    expect(archByName("gpt2").normalizeName!("lm_head.weight")).toBe("lm_head.weight");
  });

  it("fold Gemma's (1 + w) norm weights into canonical values and unfold them exactly", () => {
    const spec = smallSpec("gemma2");
    const rules = archByName("gemma2").tensorRules(spec);
    const post = rules.find((r) => r.hf === "model.layers.1.post_attention_layernorm.weight")!;
    expect(post.canonical).toEqual(["layers.1.ln_attn_post.weight"]);
    expect(rules.find((r) => r.hf === "model.layers.1.pre_feedforward_layernorm.weight")!.canonical).toEqual(["layers.1.ln_mlp.weight"]);
    const stored = Float32Array.from({ length: spec.hidden }, (_, i) => (i - 32) / 64);
    const [effective] = post.toCanonical(stored);
    effective.forEach((x, i) => expect(x).toBe(Math.fround(1 + stored[i])));
    expect(Array.from(post.toHf([effective]))).toEqual(Array.from(stored));
    // Llama's post_attention_layernorm is the pre-MLP norm and is stored as is.
    const llamaPost = archByName("llama").tensorRules(smallSpec("llama")).find((r) => r.hf === "model.layers.0.post_attention_layernorm.weight")!;
    expect(llamaPost.canonical).toEqual(["layers.0.ln_mlp.weight"]);
    expect(Array.from(llamaPost.toCanonical(stored)[0])).toEqual(Array.from(stored));
  });
});
