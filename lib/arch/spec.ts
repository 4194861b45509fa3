
/**
 * The one description of a decoder-only transformer that every engine in steersynth reads: the ONNX graph
 * builder (inference), the plain-TypeScript reference forward (tests) and the tfjs model (training).
 * Architecture tables (lib/arch/<arch>.ts) turn a Hugging Face config.json into a ModelSpec and map the
 * checkpoint's tensor names and layouts onto the canonical weights below, so algorithms never mention a
 * concrete HF module path or an architecture's storage quirk.
 */
export type ArchName = "llama" | "qwen2" | "mistral" | "gemma2" | "gpt2";

export interface RopeScaling {
  /** "llama3": frequency-dependent scaling of Llama 3.1; "linear": positions divided by factor. */
  type: "llama3" | "linear";
  factor: number;
  lowFreqFactor?: number;
  highFreqFactor?: number;
  originalMaxPositions?: number;
}

export interface ModelSpec {
  arch: ArchName;
  /** The `architectures[0]` string of config.json, e.g. "LlamaForCausalLM". */
  hfArchitecture: string;
  vocabSize: number;
  hidden: number;
  nLayers: number;
  nHeads: number;
  /** Key/value heads (GQA); equals nHeads for plain multi-head attention. */
  nKvHeads: number;
  headDim: number;
  intermediate: number;
  maxPositions: number;
  norm: { kind: "rms" | "layer"; eps: number };
  act: "silu" | "gelu_tanh" | "gelu";
  /** "gated": down(act(gate(x)) * up(x)) (Llama family); "plain": down(act(up(x))) (GPT-2). */
  mlp: "gated" | "plain";
  positions: { kind: "rope"; theta: number; scaling: RopeScaling | null } | { kind: "learned" };
  bias: { qkv: boolean; o: boolean; mlp: boolean };
  /** Multiplier applied to token embeddings (Gemma: sqrt(hidden)); 1 elsewhere. */
  embedScale: number;
  /** Gemma 2 "sandwich" norms: extra RMSNorm on the attention and MLP outputs before the residual add. */
  sandwichNorms: boolean;
  /** Scale applied to q·k (1/sqrt(headDim), or Gemma 2's query_pre_attn_scalar^-1/2). */
  attnScale: number;
  /** tanh soft-capping: cap * tanh(x / cap) of attention logits / final logits (Gemma 2); null = none. */
  attnSoftcap: number | null;
  finalSoftcap: number | null;
  /** Sliding-window attention: window length and which layers use it; null = all layers global. */
  slidingWindow: { size: number; layers: "all" | "even" } | null;
  tieEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
}

/** A float32 tensor: row-major data of the given shape (every dtype on disk is computed in fp32). */
export interface TensorF32 {
  shape: number[];
  data: Float32Array;
}

/**
 * Canonical weight names (values are the *effective* parameters: Gemma's (1+w) norm weights are folded,
 * GPT-2's Conv1D weights are transposed to the [out, in] layout of a Linear, its fused c_attn is split):
 *   embed.weight                  [vocab, hidden]
 *   pos_embed.weight              [maxPositions, hidden]        (learned positions only)
 *   layers.{l}.ln_attn.weight     [hidden]   (.bias for LayerNorm)
 *   layers.{l}.attn.q.weight      [nHeads*headDim, hidden]      (.bias when bias.qkv)
 *   layers.{l}.attn.k.weight      [nKvHeads*headDim, hidden]    (.bias when bias.qkv)
 *   layers.{l}.attn.v.weight      [nKvHeads*headDim, hidden]    (.bias when bias.qkv)
 *   layers.{l}.attn.o.weight      [hidden, nHeads*headDim]      (.bias when bias.o)
 *   layers.{l}.ln_attn_post.weight [hidden]                     (sandwich norms only)
 *   layers.{l}.ln_mlp.weight      [hidden]   (.bias for LayerNorm)
 *   layers.{l}.mlp.gate.weight    [intermediate, hidden]        (gated MLP only)
 *   layers.{l}.mlp.up.weight      [intermediate, hidden]        (.bias when bias.mlp)
 *   layers.{l}.mlp.down.weight    [hidden, intermediate]        (.bias when bias.mlp)
 *   layers.{l}.ln_mlp_post.weight [hidden]                      (sandwich norms only)
 *   final_norm.weight             [hidden]   (.bias for LayerNorm)
 *   lm_head.weight                [vocab, hidden]               (absent when tieEmbeddings)
 */
export type Weights = Map<string, TensorF32>;

/** Every canonical tensor a spec requires, with its expected shape. */
export function expectedShapes(spec: ModelSpec): Map<string, number[]> {
  const { hidden: H, vocabSize: V, nHeads, nKvHeads, headDim, intermediate: I } = spec;
  const m = new Map<string, number[]>();
  const norm = (name: string) => {
    m.set(`${name}.weight`, [H]);
    if (spec.norm.kind === "layer") m.set(`${name}.bias`, [H]);
  };
  m.set("embed.weight", [V, H]);
  if (spec.positions.kind === "learned") m.set("pos_embed.weight", [spec.maxPositions, H]);
  for (let l = 0; l < spec.nLayers; l++) {
    const p = `layers.${l}`;
    norm(`${p}.ln_attn`);
    m.set(`${p}.attn.q.weight`, [nHeads * headDim, H]);
    m.set(`${p}.attn.k.weight`, [nKvHeads * headDim, H]);
    m.set(`${p}.attn.v.weight`, [nKvHeads * headDim, H]);
    if (spec.bias.qkv) {
      m.set(`${p}.attn.q.bias`, [nHeads * headDim]);
      m.set(`${p}.attn.k.bias`, [nKvHeads * headDim]);
      m.set(`${p}.attn.v.bias`, [nKvHeads * headDim]);
    }
    m.set(`${p}.attn.o.weight`, [H, nHeads * headDim]);
    if (spec.bias.o) m.set(`${p}.attn.o.bias`, [H]);
    if (spec.sandwichNorms) norm(`${p}.ln_attn_post`);
    norm(`${p}.ln_mlp`);
    if (spec.mlp === "gated") m.set(`${p}.mlp.gate.weight`, [I, H]);
    m.set(`${p}.mlp.up.weight`, [I, H]);
    m.set(`${p}.mlp.down.weight`, [H, I]);
    if (spec.bias.mlp) {
      if (spec.mlp === "gated") m.set(`${p}.mlp.gate.bias`, [I]);
      m.set(`${p}.mlp.up.bias`, [I]);
      m.set(`${p}.mlp.down.bias`, [H]);
    }
    if (spec.sandwichNorms) norm(`${p}.ln_mlp_post`);
  }
  norm("final_norm");
  if (!spec.tieEmbeddings) m.set("lm_head.weight", [V, H]);
  return m;
}

/** The output-projection matrix used for logits (the embedding when tied). */
export const lmHead = (spec: ModelSpec, w: Weights): TensorF32 =>
  w.get(spec.tieEmbeddings ? "embed.weight" : "lm_head.weight")!;

/** Whether layer l attends through a sliding window. */
export const isSlidingLayer = (spec: ModelSpec, l: number): boolean =>
  spec.slidingWindow !== null && (spec.slidingWindow.layers === "all" || l % 2 === 0);

/**
 * Hook sites, TransformerLens style, addressed as `${layer}.${site}` everywhere (capture, steering,
 * persistence, notebooks):
 *   resid_pre   [batch, seq, hidden]           input of block l
 *   attn_out    [batch, seq, nHeads, headDim]  per-head attention outputs before the output projection
 *   resid_mid   [batch, seq, hidden]           after the attention residual add
 *   resid_post  [batch, seq, hidden]           block output (before the final norm)
 */
export type SiteName = "resid_pre" | "attn_out" | "resid_mid" | "resid_post";
export const SITES: readonly SiteName[] = ["resid_pre", "attn_out", "resid_mid", "resid_post"];

/**
 * The steerable sites, defined here once: a vector may be added at resid_post ([hidden]) and attn_out
 * ([nHeads*headDim], per head: ITI); a direction may be ablated at resid_post.
 */
export const STEER_SITES = ["resid_post", "attn_out"] as const satisfies readonly SiteName[];
export type SteerSite = (typeof STEER_SITES)[number];
export const ABLATE_SITES: readonly SteerSite[] = ["resid_post"];

/** Width of a site's activation vector per token (a spec, or any model identity with its widths). */
export const siteWidth = (spec: Pick<ModelSpec, "hidden" | "nHeads" | "headDim">, site: SiteName): number =>
  site === "attn_out" ? spec.nHeads * spec.headDim : spec.hidden;

export const siteKey = (layer: number, site: SiteName): string => `${layer}.${site}`;
