import type * as tfjs from "@tensorflow/tfjs";
import { expectedShapes, isSlidingLayer, type ModelSpec, type Weights, ropeInverseFrequencies } from "../arch/index";
import { createRng } from "../util/index";
import { gatherHasGradient, type Tf, type TfBackend } from "./backend";

/**
 * The differentiable twin of the inference graph: the same decoder (lib/arch/spec.ts) written with tfjs ops,
 * whose parameters are tf.Variables named exactly as the canonical weights. It reads and writes a Weights map,
 * so a model trained here is saved by lib/checkpoint and run by the ONNX engine, and the parity test pins its
 * logits to lib/engine/reference.ts.
 *
 * Every architecture feature of ModelSpec is implemented (RoPE with scaling, learned positions, RMSNorm /
 * LayerNorm, gated / plain MLP, silu / gelu / gelu_tanh, biases, GQA, embed scale, Gemma 2 sandwich norms,
 * softcaps and sliding windows), so any supported checkpoint can be fine-tuned.
 *
 * Padding: sequences may be left-padded with mask [B, T] (1 = real token). Positions then count from 0 at each
 * sample's first real token (cumsum(mask) − 1, as the engines do) and no query attends to a padded key;
 * outputs at padded positions are meaningless. Without a mask every token is real.
 */
export interface TfModel {
  readonly spec: ModelSpec;
  /** Canonical weight name → trainable variable. */
  readonly params: Map<string, tfjs.Variable>;
  /** logits [B, T, V] and the final-normed hidden states [B, T, H] for ids [B, T] int32. */
  forward(ids: tfjs.Tensor2D, mask?: tfjs.Tensor2D): { logits: tfjs.Tensor3D; hidden: tfjs.Tensor3D };
  /**
   * Hidden states [B, T, H] for a classification head: the residual stream after block `layer` (site
   * resid_post), or the final norm's output when `layer` is omitted. Only the blocks needed are run.
   */
  hiddenStates(ids: tfjs.Tensor2D, mask?: tfjs.Tensor2D, layer?: number): tfjs.Tensor3D;
  /** A host copy of the current parameters as canonical weights. */
  toWeights(): Weights;
  dispose(): void;
}

export interface BuildOptions {
  /** Seed for the random initialisation when no weights are given. */
  seed?: number;
  /** Initialisation std of weight matrices and embeddings (default 0.02, GPT-2's). */
  initStd?: number;
  /**
   * Embedding lookup by tf.gather (default: yes unless the active backend is wasm, which lacks its gradient
   * kernel UnsortedSegmentSum; there one-hot × matrix computes the same values).
   */
  gather?: boolean;
}

/** Build the model from canonical weights (validated against the spec) or a seeded random initialisation. */
export function buildTfModel(tf: Tf, spec: ModelSpec, weights?: Weights, opts: BuildOptions = {}): TfModel {
  const shapes = expectedShapes(spec);
  const source = weights ?? initWeights(spec, opts.seed ?? 0, opts.initStd ?? 0.02);
  for (const [name, shape] of shapes) {
    const t = source.get(name);
    if (!t) throw new Error(`buildTfModel: missing weight '${name}' (expected shape [${shape}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new Error(`buildTfModel: weight '${name}' has shape [${t.shape}], expected [${shape}]`);
  }
  for (const name of source.keys()) if (!shapes.has(name)) throw new Error(`buildTfModel: unexpected weight '${name}' for ${spec.arch}`);

  const params = new Map<string, tfjs.Variable>();
  // Unnamed: tfjs variable names are global to the engine, and two models may be alive at once.
  for (const [name, shape] of shapes) params.set(name, tf.tidy(() => tf.variable(tf.tensor(source.get(name)!.data, shape, "float32"), true)));
  const useGather = opts.gather ?? gatherHasGradient(tf.getBackend() as TfBackend);
  const ropeTable = spec.positions.kind === "rope" ? ropeCosSin(tf, spec) : null;

  const p = (name: string): tfjs.Variable => params.get(name)!;
  const opt = (name: string): tfjs.Variable | undefined => params.get(name);

  /** y = x Wᵀ + b over the last axis: x [..., in], W [out, in]. */
  const linear = (x: tfjs.Tensor, name: string): tfjs.Tensor => {
    const W = p(`${name}.weight`);
    const [outDim, inDim] = W.shape;
    const lead = x.shape.slice(0, -1);
    let y = tf.matMul(x.reshape([-1, inDim]), W, false, true);
    const b = opt(`${name}.bias`);
    if (b) y = y.add(b);
    return y.reshape([...lead, outDim]);
  };

  const norm = (x: tfjs.Tensor, name: string): tfjs.Tensor => {
    const eps = spec.norm.eps;
    const w = p(`${name}.weight`);
    if (spec.norm.kind === "rms") return x.mul(tf.rsqrt(x.square().mean(-1, true).add(eps))).mul(w);
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(w).add(p(`${name}.bias`));
  };

  const act = (x: tfjs.Tensor): tfjs.Tensor => {
    switch (spec.act) {
      case "silu": return x.mul(tf.sigmoid(x));
      case "gelu": return x.mul(tf.erf(x.div(Math.SQRT2)).add(1)).mul(0.5);
      case "gelu_tanh": return x.mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1)).mul(0.5);
    }
  };

  const softcap = (x: tfjs.Tensor, cap: number | null): tfjs.Tensor => (cap === null ? x : tf.tanh(x.div(cap)).mul(cap));

  /** Rows of a trainable table [N, H] at indices [B, T] → [B, T, H]. */
  const lookup = (table: tfjs.Variable, idx: tfjs.Tensor2D): tfjs.Tensor => {
    const [B, T] = idx.shape;
    const [N, H] = table.shape;
    const flat = idx.reshape([-1]) as tfjs.Tensor1D;
    return (useGather ? tf.gather(table, flat) : tf.matMul(tf.oneHot(flat, N), table)).reshape([B, T, H]);
  };

  /** Position index of each token [B, T] int32: 0-based from each sample's first real token. */
  const positions = (B: number, T: number, mask?: tfjs.Tensor2D): tfjs.Tensor2D =>
    mask
      ? (tf.relu(tf.cumsum(mask.toInt(), 1).sub(1)).toInt() as tfjs.Tensor2D)
      : (tf.range(0, T, 1, "int32").expandDims(0).tile([B, 1]) as tfjs.Tensor2D);

  /** HF rotate-half RoPE on x [B, T, heads, D] with cos/sin rows [B, T, 1, D]. */
  const rope = (x: tfjs.Tensor, cos: tfjs.Tensor, sin: tfjs.Tensor): tfjs.Tensor => {
    const half = spec.headDim / 2;
    const [x1, x2] = tf.split(x, [half, half], -1);
    return x.mul(cos).add(tf.concat([x2.neg(), x1], -1).mul(sin));
  };

  /**
   * Additive attention bias [B, 1, T, T] (or [1, 1, T, T] without a mask): 0 where query i may read key j
   * (j ≤ i, inside the window, key not padding), −1e9 elsewhere. A large finite value, not −∞, so that a
   * padded query with no readable key gives a uniform softmax rather than NaN.
   */
  const attnBias = (T: number, window: number, mask?: tfjs.Tensor2D): tfjs.Tensor => {
    const i = tf.range(0, T, 1, "int32").expandDims(1), j = tf.range(0, T, 1, "int32").expandDims(0);
    let allowed = tf.lessEqual(j, i);
    if (Number.isFinite(window)) allowed = tf.logicalAnd(allowed, tf.less(i.sub(j), window));
    let ok = allowed.toFloat().expandDims(0).expandDims(0); // [1, 1, T, T]
    if (mask) ok = ok.mul(mask.toFloat().expandDims(1).expandDims(1)); // keys: [B, 1, 1, T]
    return ok.sub(1).mul(1e9);
  };

  /** Causal grouped-query attention on normed x [B, T, H]; returns per-head outputs [B, T, nHeads*D] (site attn_out). */
  const attention = (x: tfjs.Tensor, l: number, rot: { cos: tfjs.Tensor; sin: tfjs.Tensor } | null, bias: tfjs.Tensor): tfjs.Tensor => {
    const [B, T] = x.shape;
    const { nHeads, nKvHeads, headDim: D } = spec;
    const g = nHeads / nKvHeads;
    const pre = `layers.${l}.attn`;
    let q = linear(x, `${pre}.q`).reshape([B, T, nHeads, D]);
    let k = linear(x, `${pre}.k`).reshape([B, T, nKvHeads, D]);
    const v = linear(x, `${pre}.v`).reshape([B, T, nKvHeads, D]).transpose([0, 2, 1, 3]); // [B, nKv, T, D]
    if (rot) {
      q = rope(q, rot.cos, rot.sin);
      k = rope(k, rot.cos, rot.sin);
    }
    // Query head h reads key/value head floor(h / g) (HF repeat_kv): group the g query heads of each kv head
    // along the time axis so one batched matmul serves them without copying k and v.
    const qg = q.transpose([0, 2, 1, 3]).reshape([B, nKvHeads, g * T, D]);
    const kt = k.transpose([0, 2, 1, 3]); // [B, nKv, T, D]
    let scores = tf.matMul(qg, kt, false, true).mul(spec.attnScale).reshape([B, nHeads, T, T]);
    scores = softcap(scores, spec.attnSoftcap).add(bias);
    const probs = tf.softmax(scores, -1).reshape([B, nKvHeads, g * T, T]);
    return tf.matMul(probs, v).reshape([B, nHeads, T, D]).transpose([0, 2, 1, 3]).reshape([B, T, nHeads * D]);
  };

  const mlp = (x: tfjs.Tensor, l: number): tfjs.Tensor => {
    const pre = `layers.${l}.mlp`;
    const up = linear(x, `${pre}.up`);
    const inner = spec.mlp === "gated" ? act(linear(x, `${pre}.gate`)).mul(up) : act(up);
    return linear(inner, `${pre}.down`);
  };

  /** The residual stream after `upTo` blocks ([B, T, H], before the final norm). */
  const trunk = (ids: tfjs.Tensor2D, mask: tfjs.Tensor2D | undefined, upTo: number): tfjs.Tensor => {
    const [B, T] = ids.shape;
    if (T > spec.maxPositions) throw new Error(`forward: ${T} tokens exceed maxPositions ${spec.maxPositions}`);
    const pos = positions(B, T, mask);
    let x = lookup(p("embed.weight"), ids); // [B, T, H]
    if (spec.embedScale !== 1) x = x.mul(spec.embedScale);
    if (spec.positions.kind === "learned") x = x.add(lookup(p("pos_embed.weight"), pos));
    const rot = ropeTable ? ropeAt(tf, ropeTable, pos) : null;
    const biasGlobal = attnBias(T, Infinity, mask);
    const biasSliding = spec.slidingWindow ? attnBias(T, spec.slidingWindow.size, mask) : biasGlobal;
    for (let l = 0; l < upTo; l++) {
      const pre = `layers.${l}`;
      let a = linear(attention(norm(x, `${pre}.ln_attn`), l, rot, isSlidingLayer(spec, l) ? biasSliding : biasGlobal), `${pre}.attn.o`);
      if (spec.sandwichNorms) a = norm(a, `${pre}.ln_attn_post`);
      x = x.add(a); // resid_mid
      let m = mlp(norm(x, `${pre}.ln_mlp`), l);
      if (spec.sandwichNorms) m = norm(m, `${pre}.ln_mlp_post`);
      x = x.add(m); // resid_post
    }
    return x;
  };

  const checkIds = (ids: tfjs.Tensor2D, mask?: tfjs.Tensor2D): void => {
    if (ids.rank !== 2 || ids.dtype !== "int32") throw new Error(`forward: ids must be an int32 [batch, seq] tensor (got ${ids.dtype} [${ids.shape}])`);
    if (mask && (mask.shape[0] !== ids.shape[0] || mask.shape[1] !== ids.shape[1]))
      throw new Error(`forward: mask shape [${mask.shape}] differs from ids shape [${ids.shape}]`);
  };

  const finalHidden = (ids: tfjs.Tensor2D, mask?: tfjs.Tensor2D): tfjs.Tensor3D =>
    norm(trunk(ids, mask, spec.nLayers), "final_norm") as tfjs.Tensor3D;

  return {
    spec,
    params,
    forward(ids, mask) {
      checkIds(ids, mask);
      const hidden = finalHidden(ids, mask);
      const [B, T, H] = hidden.shape;
      const head = p(spec.tieEmbeddings ? "embed.weight" : "lm_head.weight");
      const logits = softcap(tf.matMul(hidden.reshape([B * T, H]), head, false, true), spec.finalSoftcap).reshape([B, T, spec.vocabSize]) as tfjs.Tensor3D;
      return { logits, hidden };
    },
    hiddenStates(ids, mask, layer) {
      checkIds(ids, mask);
      if (layer === undefined) return finalHidden(ids, mask);
      if (!Number.isInteger(layer) || layer < 0 || layer >= spec.nLayers)
        throw new Error(`hiddenStates: layer ${layer} does not exist (the model has ${spec.nLayers} layers)`);
      return trunk(ids, mask, layer + 1) as tfjs.Tensor3D;
    },
    toWeights() {
      const out: Weights = new Map();
      for (const [name, v] of params) out.set(name, { shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) });
      return out;
    },
    dispose() {
      for (const v of params.values()) v.dispose();
      ropeTable?.cos.dispose();
      ropeTable?.sin.dispose();
    },
  };
}

/**
 * cos and sin of position · invFreq for every position < maxPositions, [maxPositions, headDim] each (the
 * half-width table repeated twice, rotate-half layout), computed on the host in float64 and rounded once.
 */
function ropeCosSin(tf: Tf, spec: ModelSpec): { cos: tfjs.Tensor2D; sin: tfjs.Tensor2D } {
  const inv = ropeInverseFrequencies(spec);
  const half = inv.length, D = 2 * half, P = spec.maxPositions;
  const cos = new Float32Array(P * D), sin = new Float32Array(P * D);
  for (let t = 0; t < P; t++)
    for (let j = 0; j < half; j++) {
      const a = t * inv[j];
      cos[t * D + j] = cos[t * D + j + half] = Math.cos(a);
      sin[t * D + j] = sin[t * D + j + half] = Math.sin(a);
    }
  return { cos: tf.tensor2d(cos, [P, D]), sin: tf.tensor2d(sin, [P, D]) };
}

/** Rows of the RoPE table for positions [B, T] → cos, sin [B, T, 1, D] (broadcast over heads). */
function ropeAt(tf: Tf, table: { cos: tfjs.Tensor2D; sin: tfjs.Tensor2D }, pos: tfjs.Tensor2D): { cos: tfjs.Tensor; sin: tfjs.Tensor } {
  const [B, T] = pos.shape;
  const D = table.cos.shape[1];
  const flat = pos.reshape([-1]) as tfjs.Tensor1D;
  return { cos: tf.gather(table.cos, flat).reshape([B, T, 1, D]), sin: tf.gather(table.sin, flat).reshape([B, T, 1, D]) };
}

/**
 * Seeded initialisation (GPT-2 / Llama practice): matrices and embeddings ~ N(0, std²), the output projections
 * of each residual branch (attn.o, mlp.down) scaled by 1/sqrt(2·nLayers) so the residual stream's variance
 * does not grow with depth; norms weight 1, biases 0.
 */
export function initWeights(spec: ModelSpec, seed: number, std = 0.02): Weights {
  const rng = createRng(seed);
  const out: Weights = new Map();
  for (const [name, shape] of expectedShapes(spec)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/(^|\.)ln_[a-z_]+\.weight$|^final_norm\.weight$/.test(name)) data.fill(1);
    else if (!name.endsWith(".bias")) {
      const s = /\.(attn\.o|mlp\.down)\.weight$/.test(name) ? std / Math.sqrt(2 * spec.nLayers) : std;
      for (let i = 0; i < n; i++) data[i] = rng.normal() * s;
    }
    out.set(name, { shape: shape.slice(), data });
  }
  return out;
}
