import { expectedShapes, isSlidingLayer, type ModelSpec, ropeInverseFrequencies } from "../arch/index";
import { GraphBuilder } from "./onnx-builder";
import { ACCURACY_LEVEL, BITS, BLOCK_SIZE, quantizeRows, type WeightFormat } from "./quantize";
import { IO, type GraphVariant } from "./variant";

/**
 * The ONNX graph of a decoder-only transformer, written from a ModelSpec alone: architectures differ only
 * through spec fields (norm kind, activation, MLP kind, positions, biases, embed scale, sandwich norms,
 * attention scale, softcaps, sliding windows, tied head) — there is no branch on the architecture's name.
 *
 * Layout: the residual stream is kept 2-D, x [N = B*T, H], so every linear layer is one Gemm with the
 * checkpoint's [out, in] weight (transB = 1: no transposed copies; a tied head reads the embedding).
 * The token embedding is looked up on the host (./embedding says why), so the embedding matrix is read by the tied
 * head alone, and only token positions and the model's arithmetic are in the graph.
 * Q/K/V and gate/up are fused into one Gemm each (concatenated rows) — fewer, larger matrix products.
 * With `format` int8/int4 those layer Gemms become MatMulNBits on block-quantized weights (./quantize); the
 * embedding, the head, norms, biases, activations and steering stay fp32.
 *
 * Inputs (B = batch, T = new tokens, C = cache slots, S = C + T):
 *   inputs_embeds [B, T, H] float (the tokens' embedding rows, unscaled) · position_ids [B, T] int64
 *   attention_mask [B, S] int64: 1 = a real token, over the cache slots then the new tokens. Keys are stored in
 *     position order, so a key's position is cumsum(mask) − 1; free cache slots and left padding are 0.
 *   steer_mask [B, T] float (1 where the sample's steering applies)
 *   per layer l: steer_resid.l [B, H], steer_attn.l [B, nHeads*headDim] (already scaled; zeros = none),
 *                ablate_resid.l [B, H] (unit directions; zeros = none)
 *   kv variant: past_key.l / past_value.l [B, nKv, C, headDim] — the host's whole cache buffer, unused slots
 *     masked. Attention reads it in place (no concatenation), so a decode step never copies the cache.
 * Outputs: logits [B, T, V] ("all") or [B, V] ("last"); "targets" adds the input target_ids [B, T] int64 and gives
 *   target_logprobs [B, T] (log-softmax of position t's logits at target_ids[b, t]) with the last position's logits
 *   [B, V]; kv: new_key.l / new_value.l [B, nKv, T, headDim]
 *   (RoPE applied), which the host writes into its cache;
 *   capture: `${site}.${l}` [B*T, width] (row-major [B, T, width]).
 *
 * Per block, with the hook sites where they sit (TransformerLens names):
 *   resid_pre = x
 *   attn_out  = attention(ln_attn(x)) per head, then ablate?/steer_attn add     [N, nHeads*headDim]
 *   x = x + post?(o(attn_out))                          → resid_mid
 *   x = x + post?(mlp(ln_mlp(x))), ablate_resid, + steer_resid   → resid_post
 */
export function buildTransformerGraph(spec: ModelSpec, read: ReadWeight, variant: GraphVariant, format: WeightFormat = "fp32", headSliceBytes = HEAD_SLICE_BYTES): GraphBuilder {
  const b = new GraphBuilder();
  const { hidden: H, nHeads, nKvHeads, headDim: D, vocabSize: V } = spec;
  const qDim = nHeads * D, kvDim = nKvHeads * D;
  const shapes = expectedShapes(spec);
  const shape = (name: string): number[] => {
    const s = shapes.get(name);
    if (!s) throw new Error(`onnx graph: missing weight '${name}'`);
    return s;
  };
  // Weights are deferred (() => data): read only when the shared weight file is written (see GraphBuilder.float).
  const w = (name: string): Weight => ({ shape: shape(name), data: () => read(name) });
  const init = (name: string): string => (b.initializers.has(name) ? name : b.float(name, shape(name), () => read(name)));
  /**
   * x [rows, K] · Wᵀ (+ bias) for a layer weight W [N, K]: one Gemm in fp32; with int8/int4 weights one MatMulNBits
   * on the block-quantized W (./quantize), then the fp32 bias.
   */
  const linear = (x: string, name: string, weight: Weight, bias: string[]): string => {
    if (format === "fp32") return b.op("Gemm", [x, b.initializers.has(name) ? name : b.float(name, weight.shape, weight.data), ...bias], { transB: 1 });
    const [N, K] = weight.shape, bits = BITS[format], nBlocks = Math.ceil(K / BLOCK_SIZE);
    // One quantization feeds two initializers (packed, then scales, written one after the other).
    const qz = usedTwice(() => quantizeRows(weight.data(), N, K, bits));
    const packed = b.uint8(`${name}.q${bits}`, [N, nBlocks, (BLOCK_SIZE * bits) / 8], () => qz().packed);
    const y = b.op("MatMulNBits", [x, packed, b.float(`${name}.scales`, [N, nBlocks], () => qz().scales)], { K, N, bits, block_size: BLOCK_SIZE, accuracy_level: ACCURACY_LEVEL[bits] }, "com.microsoft");
    return bias.length ? b.op("Add", [y, bias[0]]) : y;
  };

  // ---- inputs
  const embeds = b.input(IO.inputsEmbeds, "float", ["batch", "seq", H]);
  const attnMask = b.input(IO.attentionMask, "int64", ["batch", "total"]);
  const posIds = b.input(IO.positionIds, "int64", ["batch", "seq"]);
  const steerMask = b.input(IO.steerMask, "float", ["batch", "seq"]);

  // ---- shapes computed once: [B, T] and the views used below
  const bt = b.op("Shape", [posIds]); // [2] = (B, T)
  const shapeBTH = b.op("Concat", [bt, b.int64([H])], { axis: 0 });
  const shapeBTQ = b.op("Concat", [bt, b.int64([qDim])], { axis: 0 });
  const shapeBTV = b.op("Concat", [bt, b.int64([V])], { axis: 0 });
  const toBTH = (x: string, shape: string) => b.op("Reshape", [x, shape]);
  const flat = (x: string, width: number) => b.op("Reshape", [x, b.int64([-1, width])]);
  const mask3 = b.op("Unsqueeze", [steerMask, b.int64([2])]); // [B, T, 1]

  // ---- embeddings → x [N, H]
  // The table is a weight of the checkpoint's weight file for the host's lookup (./embedding) even where no node reads
  // it; a graph lists only the initializers its nodes read (serializeModel), so it holds it only for a tied head.
  init("embed.weight");
  let x = embeds; // [B, T, H]
  if (spec.embedScale !== 1) x = b.op("Mul", [x, b.scalar(spec.embedScale)]);
  if (spec.positions.kind === "learned") x = b.op("Add", [x, b.op("Gather", [init("pos_embed.weight"), posIds], { axis: 0 })]);
  x = flat(x, H);

  // ---- rotary tables for these positions: cos2 = [cos, cos], sinSigned = [−sin, sin], each [N, 1, D]
  let rope: { cos: string; sin: string } | null = null;
  if (spec.positions.kind === "rope") {
    // The scaled inverse frequencies (linear / llama3) are computed on the host in float64, as Hugging Face does.
    const invFreq = b.float("rope.inv_freq", [1, D / 2], Float32Array.from(ropeInverseFrequencies(spec)));
    const pos = b.op("Reshape", [b.op("Cast", [posIds], { to: 1 }), b.int64([-1, 1])]); // [N, 1]
    const angles = b.op("MatMul", [pos, invFreq]); // [N, D/2] (a rank-1 product: exactly pos · f in float32)
    const cos = b.op("Cos", [angles]), sin = b.op("Sin", [angles]);
    const cos2 = b.op("Concat", [cos, cos], { axis: 1 });
    const sinSigned = b.op("Concat", [b.op("Neg", [sin]), sin], { axis: 1 });
    rope = { cos: b.op("Unsqueeze", [cos2, b.int64([1])]), sin: b.op("Unsqueeze", [sinSigned, b.int64([1])]) };
  }

  // ---- additive attention masks [B, 1, 1, T, S]: 0 where a query may see a key, else −1e30
  const masks = attentionMasks(b, spec, attnMask, posIds);

  const capture = new Set(variant.capture.layers.flatMap((l) => variant.capture.sites.map((s) => IO.capture(l, s))));
  const maybeCapture = (name: string, tensor: string, width: number) => {
    if (capture.has(name)) b.output(name, tensor, "float", ["rows", width]);
  };

  for (let l = 0; l < blocksRun(spec, variant); l++) {
    const p = `layers.${l}`;
    maybeCapture(IO.capture(l, "resid_pre"), x, H);

    // attention
    const h = norm(b, spec, x, init, `${p}.ln_attn`);
    const qkvW: Weight = { shape: [qDim + 2 * kvDim, H], data: concatRows([w(`${p}.attn.q.weight`), w(`${p}.attn.k.weight`), w(`${p}.attn.v.weight`)], spec.attnScale, qDim * H) };
    const qkvB = spec.bias.qkv
      ? [b.float(`${p}.attn.qkv.bias`, [qDim + 2 * kvDim], concatRows([w(`${p}.attn.q.bias`), w(`${p}.attn.k.bias`), w(`${p}.attn.v.bias`)], spec.attnScale, qDim))]
      : [];
    const qkv = linear(h, `${p}.attn.qkv.weight`, qkvW, qkvB); // [N, qDim + 2 kvDim]
    const [q, k, v] = b.opN("Split", [qkv, b.int64([qDim, kvDim, kvDim])], 3, { axis: 1 });
    const heads = attention(b, spec, l, q, k, v, rope, masks, bt, variant.kv); // [N, qDim]
    let attnOut = steerSite(b, heads, shapeBTQ, mask3, b.input(IO.steerAttn(l), "float", ["batch", qDim]), null);
    attnOut = flat(attnOut, qDim);
    maybeCapture(IO.capture(l, "attn_out"), attnOut, qDim);
    let a = linear(attnOut, `${p}.attn.o.weight`, w(`${p}.attn.o.weight`), spec.bias.o ? [init(`${p}.attn.o.bias`)] : []);
    if (spec.sandwichNorms) a = norm(b, spec, a, init, `${p}.ln_attn_post`);
    x = b.op("Add", [x, a]);
    maybeCapture(IO.capture(l, "resid_mid"), x, H);

    // MLP
    let m = mlp(b, spec, w, init, linear, p, norm(b, spec, x, init, `${p}.ln_mlp`));
    if (spec.sandwichNorms) m = norm(b, spec, m, init, `${p}.ln_mlp_post`);
    x = b.op("Add", [x, m]);
    const ablate = b.input(IO.ablateResid(l), "float", ["batch", H]);
    x = flat(steerSite(b, x, shapeBTH, mask3, b.input(IO.steerResid(l), "float", ["batch", H]), ablate), H);
    maybeCapture(IO.capture(l, "resid_post"), x, H);
  }

  // ---- head
  if (variant.logits !== "none") {
    let last = x;
    if (variant.logits === "last") {
      // Left padding puts every sample's newest token at index T − 1.
      last = b.op("Gather", [toBTH(x, shapeBTH), b.int64([-1], [])], { axis: 1 }); // [B, H]
    }
    const headWeight = spec.tieEmbeddings ? "embed.weight" : "lm_head.weight";
    let logits = head(b, norm(b, spec, last, init, "final_norm"), init(headWeight), shape(headWeight), headSliceBytes);
    if (spec.finalSoftcap !== null) logits = softcap(b, logits, spec.finalSoftcap);
    if (variant.logits === "all") b.output(IO.logits, b.op("Reshape", [logits, shapeBTV]), "float", ["batch", "seq", V]);
    else if (variant.logits === "last") b.output(IO.logits, logits, "float", ["batch", V]);
    else {
      // "targets": log p(target) at every position, from a float32 LogSoftmax in the graph, so the [B, T, V] logits
      // never leave it (copying them out and normalizing them in JS cost more than the forward), and the last
      // position's logits [B, V] (the next token's distribution).
      const targets = b.input(IO.targetIds, "int64", ["batch", "seq"]);
      const logp = b.op("LogSoftmax", [logits], { axis: -1 }); // [N, V]
      const picked = b.op("GatherElements", [logp, b.op("Reshape", [targets, b.int64([-1, 1])])], { axis: 1 }); // [N, 1]
      b.output(IO.targetLogprobs, b.op("Reshape", [picked, bt]), "float", ["batch", "seq"]);
      const lastRow = b.op("Gather", [b.op("Reshape", [logits, shapeBTV]), b.int64([-1], [])], { axis: 1 }); // [B, V]
      b.output(IO.logits, lastRow, "float", ["batch", V]);
    }
  }
  return b;
}

/**
 * How many blocks a variant's graph runs. A capture-only variant (no logits, no cache) stops after its last captured
 * layer: later blocks cannot change what it returns, yet onnxruntime would run them all (it does not prune nodes
 * that no requested output needs; measured, a capture at layer 0 of llama-tiny cost as much as one at layer 4). Its
 * graph then has no steering inputs for the blocks it skips; the engine feeds a session only the inputs it has.
 */
export const blocksRun = (spec: ModelSpec, variant: GraphVariant): number =>
  variant.logits === "none" && !variant.kv && variant.capture.layers.length > 0 ? Math.max(...variant.capture.layers) + 1 : spec.nLayers;

/**
 * Largest slice of the head's weight one Gemm reads. onnxruntime prepacks a Gemm's weight while the mapped original is
 * still resident, so the largest weight is briefly held twice; a real vocabulary's head is the largest by far
 * (Llama-3.2-1B: 1.05 GB, against 134 MB for a layer's gate|up). Sliced, the transient is one slice.
 */
export const HEAD_SLICE_BYTES = 128 * 2 ** 20;

/**
 * logits [rows, V] = x [rows, H] · Wᵀ for the head W [V, H]: one Gemm, or where W is larger than `sliceBytes` one
 * Gemm per slice of its rows (views into W's bytes, GraphBuilder.rowsOf), concatenated. A slice splits the output
 * columns, never a dot product, and starts at a multiple of 64 rows: the logits come out bit-identical to the single
 * Gemm's (tests/engine/head-slices.test.ts; the 1.2B bench checkpoint's logits `cmp`-equal, lib/engine/README.md).
 */
function head(b: GraphBuilder, x: string, weight: string, [V, H]: number[], sliceBytes: number): string {
  const rowsPerSlice = Math.max(64, Math.floor(sliceBytes / (4 * H) / 64) * 64);
  if (V <= rowsPerSlice) return b.op("Gemm", [x, weight], { transB: 1 });
  const parts: string[] = [];
  for (let start = 0; start < V; start += rowsPerSlice) {
    const name = `${weight}.rows${start}`;
    const slice = b.initializers.has(name) ? name : b.rowsOf(name, weight, start, Math.min(rowsPerSlice, V - start));
    parts.push(b.op("Gemm", [x, slice], { transB: 1 }));
  }
  return b.op("Concat", parts, { axis: 1 });
}

/** RMSNorm (SimplifiedLayerNormalization, ORT's fused kernel) or LayerNorm over the last axis. */
function norm(b: GraphBuilder, spec: ModelSpec, x: string, init: (n: string) => string, name: string): string {
  const eps = { float: spec.norm.eps };
  if (spec.norm.kind === "rms") return b.op("SimplifiedLayerNormalization", [x, init(`${name}.weight`)], { axis: -1, epsilon: eps });
  return b.op("LayerNormalization", [x, init(`${name}.weight`), init(`${name}.bias`)], { axis: -1, epsilon: eps });
}

const softcap = (b: GraphBuilder, x: string, cap: number): string =>
  b.op("Mul", [b.op("Tanh", [b.op("Mul", [x, b.scalar(1 / cap)])]), b.scalar(cap)]);

/** Canonical fp32 weights read one at a time (a graph build reads each once, when it is written, and keeps none). */
export type ReadWeight = (name: string) => Float32Array;

/** A weight's shape now, its data on demand. */
interface Weight {
  shape: number[];
  data: () => Float32Array;
}

/** f's value for its first two calls, computed once; then forgotten, so it is not held after both uses. */
function usedTwice<T>(f: () => T): () => T {
  let value: T | null = null, calls = 0;
  return () => {
    value ??= f();
    const v = value;
    if (++calls === 2) value = null;
    return v;
  };
}

/**
 * Rows of several [rows, cols] weights stacked (deferred: read when called); the first `scaledCount` values are
 * multiplied by `scale`.
 */
function concatRows(parts: Weight[], scale: number, scaledCount: number): () => Float32Array {
  return () => {
    const out = new Float32Array(parts.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0));
    let off = 0;
    for (const t of parts) { const d = t.data(); out.set(d, off); off += d.length; }
    // The attention scale is folded into W_q (and b_q): (x W_qᵀ + b) s = x (s W_q)ᵀ + s b, and RoPE is linear.
    if (scale !== 1) for (let i = 0; i < scaledCount; i++) out[i] *= scale;
    return out;
  };
}

function activation(b: GraphBuilder, act: ModelSpec["act"], x: string): string {
  if (act === "silu") return b.op("Mul", [x, b.op("Sigmoid", [x])]);
  return b.op("Gelu", [x], { approximate: act === "gelu_tanh" ? "tanh" : "none" });
}

type Linear = (x: string, name: string, weight: Weight, bias: string[]) => string;

function mlp(b: GraphBuilder, spec: ModelSpec, w: (n: string) => Weight, init: (n: string) => string, linear: Linear, p: string, h: string): string {
  const I = spec.intermediate;
  const bias = (name: string) => (spec.bias.mlp ? [init(name)] : []);
  let inner: string;
  if (spec.mlp === "gated") {
    const gu: Weight = { shape: [2 * I, spec.hidden], data: concatRows([w(`${p}.mlp.gate.weight`), w(`${p}.mlp.up.weight`)], 1, 0) };
    const guBias = spec.bias.mlp ? [b.float(`${p}.mlp.gate_up.bias`, [2 * I], concatRows([w(`${p}.mlp.gate.bias`), w(`${p}.mlp.up.bias`)], 1, 0))] : [];
    const [gate, up] = b.opN("Split", [linear(h, `${p}.mlp.gate_up.weight`, gu, guBias), b.int64([I, I])], 2, { axis: 1 });
    inner = b.op("Mul", [activation(b, spec.act, gate), up]);
  } else {
    inner = activation(b, spec.act, linear(h, `${p}.mlp.up.weight`, w(`${p}.mlp.up.weight`), bias(`${p}.mlp.up.bias`)));
  }
  return linear(inner, `${p}.mlp.down.weight`, w(`${p}.mlp.down.weight`), bias(`${p}.mlp.down.bias`));
}

/**
 * Per-sample steering at one site, on the [B, T, width] view of x [N, width]:
 *   x ← x − mask·(x·d) d   (ablation; d = 0 leaves x unchanged)
 *   x ← x + mask·v         (addition; v = 0 leaves x unchanged)
 * mask [B, T, 1] selects each sample's steered positions.
 */
function steerSite(b: GraphBuilder, x: string, shape: string, mask3: string, vec: string, ablate: string | null): string {
  let y = b.op("Reshape", [x, shape]); // [B, T, width]
  if (ablate !== null) {
    const dot = b.op("MatMul", [y, b.op("Unsqueeze", [ablate, b.int64([2])])]); // [B, T, 1]
    const proj = b.op("Mul", [b.op("Mul", [dot, mask3]), b.op("Unsqueeze", [ablate, b.int64([1])])]); // [B, T, width]
    y = b.op("Sub", [y, proj]);
  }
  return b.op("Add", [y, b.op("Mul", [mask3, b.op("Unsqueeze", [vec, b.int64([1])])])]);
}

interface Masks {
  global: string;
  sliding: string | null;
  /** Reshape targets (B, nKv, g, −1, S) and (B, nKv, −1, S) for the grouped score view. */
  grouped: string;
  ungrouped: string;
}

/**
 * Causal + padding masks from positions, and the sliding-window one when some layer needs it: a query at
 * position p sees a real key at position k iff k ≤ p (and p − k < window on sliding layers). Key positions are
 * cumsum(mask) − 1, so they are right whatever the cache layout (left padding, free slots).
 */
function attentionMasks(b: GraphBuilder, spec: ModelSpec, attnMask: string, posIds: string): Masks {
  const one = b.int64([1], []);
  const kPos = b.op("Sub", [b.op("CumSum", [attnMask, one]), one]); // [B, S]
  const diff = b.op("Sub", [b.op("Unsqueeze", [posIds, b.int64([2])]), b.op("Unsqueeze", [kPos, b.int64([1])])]); // [B, T, S] = p − k
  const valid = b.op("Cast", [b.op("Unsqueeze", [attnMask, b.int64([1])])], { to: 9 }); // [B, 1, S]
  const causal = b.op("And", [b.op("GreaterOrEqual", [diff, b.int64([0], [])]), valid]);
  const bias = (allowed: string) => b.op("Unsqueeze", [b.op("Where", [allowed, b.scalar(0), b.scalar(-1e30)]), b.int64([1, 2])]); // [B, 1, 1, T, S]
  const global = bias(causal);
  const sliding = spec.slidingWindow ? bias(b.op("And", [causal, b.op("Less", [diff, b.int64([spec.slidingWindow.size], [])])])) : null;
  const B = b.op("Slice", [b.op("Shape", [posIds]), b.int64([0]), b.int64([1])]); // [1]
  const S = b.op("Slice", [b.op("Shape", [attnMask]), b.int64([1]), b.int64([2])]); // [1]
  const g = spec.nHeads / spec.nKvHeads;
  const grouped = b.op("Concat", [B, b.int64([spec.nKvHeads, g, -1]), S], { axis: 0 });
  const ungrouped = b.op("Concat", [B, b.int64([spec.nKvHeads, -1]), S], { axis: 0 });
  return { global, sliding, grouped, ungrouped };
}

/**
 * Grouped-query attention for one layer on q [N, nH*D], k, v [N, nKv*D]; returns per-head outputs [N, nH*D].
 * Query heads are viewed as [B, nKv, g*T, D] (head h reads kv head floor(h / g), as HF's repeat_kv), so keys
 * and values are never copied per query head.
 */
function attention(b: GraphBuilder, spec: ModelSpec, l: number, q: string, k: string, v: string,
  rope: { cos: string; sin: string } | null, masks: Masks, bt: string, kv: boolean): string {
  const { nHeads, nKvHeads, headDim: D } = spec;
  const rotate = (x: string, heads: number): string => {
    const x3 = b.op("Reshape", [x, b.int64([-1, heads, D])]); // [N, heads, D]
    if (!rope) return x3;
    const [x1, x2] = b.opN("Split", [x3, b.int64([D / 2, D / 2])], 2, { axis: 2 });
    const swapped = b.op("Concat", [x2, x1], { axis: 2 }); // rotate_half(x) = [−x2, x1] = swapped · [−1, 1]
    return b.op("Add", [b.op("Mul", [x3, rope.cos]), b.op("Mul", [swapped, rope.sin])]);
  };
  const toHeads = (x3: string, heads: number) => // [N, heads, D] → [B, heads, T, D]
    b.op("Transpose", [b.op("Reshape", [x3, b.op("Concat", [bt, b.int64([heads, D])], { axis: 0 })])], { perm: [0, 2, 1, 3] });

  const kNew = toHeads(rotate(k, nKvHeads), nKvHeads); // [B, nKv, T, D]
  const vNew = toHeads(b.op("Reshape", [v, b.int64([-1, nKvHeads, D])]), nKvHeads);
  const qh = toHeads(rotate(q, nHeads), nHeads); // [B, nH, T, D]  (scale already folded into W_q)
  const qg = b.op("Reshape", [qh, b.int64([0, nKvHeads, -1, D])]); // [B, nKv, g*T, D]
  const dot = (keys: string) => b.op("MatMul", [qg, b.op("Transpose", [keys], { perm: [0, 1, 3, 2] })]);
  let scores = dot(kNew); // [B, nKv, g*T, T]
  let past: { k: string; v: string } | null = null;
  if (kv) {
    past = { k: b.input(IO.pastKey(l), "float", ["batch", nKvHeads, "cache", D]), v: b.input(IO.pastValue(l), "float", ["batch", nKvHeads, "cache", D]) };
    b.output(IO.newKey(l), kNew, "float", ["batch", nKvHeads, "seq", D]);
    b.output(IO.newValue(l), vNew, "float", ["batch", nKvHeads, "seq", D]);
    scores = b.op("Concat", [dot(past.k), scores], { axis: 3 }); // [B, nKv, g*T, C + T]
  }
  if (spec.attnSoftcap !== null) scores = softcap(b, scores, spec.attnSoftcap);
  const s5 = b.op("Reshape", [scores, masks.grouped]); // [B, nKv, g, T, S]
  const masked = b.op("Add", [s5, isSlidingLayer(spec, l) ? masks.sliding! : masks.global]);
  const probs = b.op("Reshape", [b.op("Softmax", [masked], { axis: -1 }), masks.ungrouped]); // [B, nKv, g*T, S]
  let ctx: string; // [B, nKv, g*T, D]
  if (past) {
    const C = b.op("Slice", [b.op("Shape", [past.k]), b.int64([2]), b.int64([3])]); // [1]
    const axis = b.int64([3]);
    const pPast = b.op("Slice", [probs, b.int64([0]), C, axis]);
    const pNew = b.op("Slice", [probs, C, b.int64([Number.MAX_SAFE_INTEGER]), axis]);
    ctx = b.op("Add", [b.op("MatMul", [pPast, past.v]), b.op("MatMul", [pNew, vNew])]);
  } else {
    ctx = b.op("MatMul", [probs, vNew]);
  }
  const perHead = b.op("Reshape", [ctx, b.int64([0, nHeads, -1, D])]); // [B, nH, T, D]
  return b.op("Reshape", [b.op("Transpose", [perHead], { perm: [0, 2, 1, 3] }), b.int64([-1, nHeads * D])]); // [N, nH*D]
}
