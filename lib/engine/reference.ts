import { expectedShapes, isSlidingLayer, lmHead, SITES, siteKey, siteWidth, type ModelSpec, type SiteName, type Weights, ropeInverseFrequencies } from "../arch/index";
import { logSoftmaxAt } from "../math/index";
import { validateSteering } from "./steering-feeds";
import type { ForwardOptions, ForwardResult, SampleSteering } from "./types";

/**
 * A deliberately plain forward pass over canonical weights: loops over Float32Arrays, one sample at a time,
 * written to be read against the maths (nanoGPT style), not to be fast. It is the oracle faster engines are
 * tested against, and it is itself tested against Hugging Face transformers (tests/reference/hf-parity.test.ts).
 * It deliberately shares no code with those engines except the architecture tables and the RoPE frequencies
 * of lib/arch/rope (checked against Hugging Face in tests/reference/hf-parity.test.ts), so a bug in one cannot
 * hide in both.
 *
 * Precision: activations are stored in float32 (as the engines do), but every dot product, softmax and norm
 * statistic is accumulated in JS numbers (float64), so the reference is at least as accurate as the engines.
 *
 * Batches: each sample is computed on its own real tokens, which is exactly what a left-padded batch with an
 * attention mask and position_ids = cumsum(mask) − 1 computes at the real positions; padded positions of the
 * outputs are 0. Positions count from 0 at a sample's first real token.
 */

/** Rows of a matrix stored flat: n rows × width columns, row-major. */
type Rows = Float32Array;

// ---------------------------------------------------------------------------------------------- building blocks

/** y = x Wᵀ + b for x [n, inDim], W [outDim, inDim] (the Linear layout), b [outDim]. */
function linear(x: Rows, n: number, inDim: number, W: Float32Array, outDim: number, b?: Float32Array): Rows {
  const y = new Float32Array(n * outDim);
  for (let i = 0; i < n; i++) {
    const xi = i * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let s = b ? b[o] : 0;
      for (let k = 0; k < inDim; k++) s += x[xi + k] * W[wo + k];
      y[i * outDim + o] = s;
    }
  }
  return y;
}

/** RMSNorm x / sqrt(mean(x²) + eps) * w, or LayerNorm (x − mean) / sqrt(var + eps) * w + b, per row of [n, H]. */
function norm(spec: ModelSpec, x: Rows, n: number, w: Float32Array, b: Float32Array | undefined): Rows {
  const H = spec.hidden, eps = spec.norm.eps;
  const y = new Float32Array(n * H);
  for (let i = 0; i < n; i++) {
    const row = i * H;
    let mean = 0;
    if (spec.norm.kind === "layer") {
      for (let k = 0; k < H; k++) mean += x[row + k];
      mean /= H;
    }
    let sq = 0;
    for (let k = 0; k < H; k++) sq += (x[row + k] - mean) ** 2;
    const inv = 1 / Math.sqrt(sq / H + eps);
    for (let k = 0; k < H; k++) y[row + k] = (x[row + k] - mean) * inv * w[k] + (b ? b[k] : 0);
  }
  return y;
}

/**
 * erf(x) to ~1e-15 absolute: its Maclaurin series for |x| < 2.5, the continued fraction of erfc beyond
 * (JavaScript has no Math.erf).
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x, sum = x;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail.
  let f = a;
  for (let k = 80; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const ACTIVATIONS: Record<ModelSpec["act"], (x: number) => number> = {
  silu: (x) => x / (1 + Math.exp(-x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  // GPT-2's gelu_new / Gemma's gelu_pytorch_tanh
  gelu_tanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
};

const softcap = (x: number, cap: number | null): number => (cap === null ? x : cap * Math.tanh(x / cap));

/**
 * Rotate every head of x [n, nHeads*headDim] in place, HF Llama's rotate-half convention: dimension j pairs with
 * j + headDim/2, angle = position · invFreq[j].
 */
function applyRope(x: Rows, n: number, nHeads: number, headDim: number, invFreq: number[]): void {
  const half = headDim / 2;
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < half; j++) {
      const angle = t * invFreq[j], cos = Math.cos(angle), sin = Math.sin(angle);
      for (let h = 0; h < nHeads; h++) {
        const at = (t * nHeads + h) * headDim;
        const a = x[at + j], b = x[at + j + half];
        x[at + j] = a * cos - b * sin;
        x[at + j + half] = b * cos + a * sin;
      }
    }
  }
}

/**
 * Causal multi-head attention with grouped key/value heads over one sample's tokens; returns the per-head
 * outputs [n, nHeads*headDim] (site attn_out, before the output projection).
 */
function attention(spec: ModelSpec, w: Weights, l: number, h: Rows, n: number): Rows {
  const { hidden: H, nHeads, nKvHeads, headDim: D } = spec;
  const p = `layers.${l}.attn`;
  const q = linear(h, n, H, get(w, `${p}.q.weight`), nHeads * D, w.get(`${p}.q.bias`)?.data);
  const k = linear(h, n, H, get(w, `${p}.k.weight`), nKvHeads * D, w.get(`${p}.k.bias`)?.data);
  const v = linear(h, n, H, get(w, `${p}.v.weight`), nKvHeads * D, w.get(`${p}.v.bias`)?.data);
  if (spec.positions.kind === "rope") {
    const invFreq = ropeInverseFrequencies(spec);
    applyRope(q, n, nHeads, D, invFreq);
    applyRope(k, n, nKvHeads, D, invFreq);
  }
  // A query at position i sees keys j ≤ i, and on sliding layers only those with i − j < window.
  const window = isSlidingLayer(spec, l) ? spec.slidingWindow!.size : Infinity;
  const groupSize = nHeads / nKvHeads; // query head h reads key/value head floor(h / groupSize), as HF repeat_kv
  const out = new Float32Array(n * nHeads * D);
  const scores = new Float64Array(n);
  for (let hd = 0; hd < nHeads; hd++) {
    const kvh = Math.floor(hd / groupSize);
    for (let i = 0; i < n; i++) {
      const qi = (i * nHeads + hd) * D;
      const first = Math.max(0, i - window + 1);
      let max = -Infinity;
      for (let j = first; j <= i; j++) {
        const kj = (j * nKvHeads + kvh) * D;
        let s = 0;
        for (let d = 0; d < D; d++) s += q[qi + d] * k[kj + d];
        scores[j] = softcap(s * spec.attnScale, spec.attnSoftcap);
        if (scores[j] > max) max = scores[j];
      }
      let total = 0;
      for (let j = first; j <= i; j++) total += scores[j] = Math.exp(scores[j] - max);
      for (let d = 0; d < D; d++) {
        let s = 0;
        for (let j = first; j <= i; j++) s += scores[j] * v[(j * nKvHeads + kvh) * D + d];
        out[qi + d] = s / total;
      }
    }
  }
  return out;
}

/** The MLP on normed input [n, H]: down(act(gate(x)) * up(x)) (gated) or down(act(up(x))) (plain). */
function mlp(spec: ModelSpec, w: Weights, l: number, x: Rows, n: number): Rows {
  const { hidden: H, intermediate: I } = spec;
  const p = `layers.${l}.mlp`;
  const act = ACTIVATIONS[spec.act];
  const up = linear(x, n, H, get(w, `${p}.up.weight`), I, w.get(`${p}.up.bias`)?.data);
  if (spec.mlp === "gated") {
    const gate = linear(x, n, H, get(w, `${p}.gate.weight`), I, w.get(`${p}.gate.bias`)?.data);
    for (let i = 0; i < up.length; i++) up[i] = act(gate[i]) * up[i];
  } else {
    for (let i = 0; i < up.length; i++) up[i] = act(up[i]);
  }
  return linear(up, n, I, get(w, `${p}.down.weight`), H, w.get(`${p}.down.bias`)?.data);
}

function get(w: Weights, name: string): Float32Array {
  const t = w.get(name);
  if (!t) throw new Error(`reference forward: missing weight '${name}'`);
  return t.data;
}

const normOf = (spec: ModelSpec, w: Weights, name: string, x: Rows, n: number): Rows =>
  norm(spec, x, n, get(w, `${name}.weight`), w.get(`${name}.bias`)?.data);

// ---------------------------------------------------------------------------------------------- steering

/** Positions of one sample that a steering window touches: prompt = [0, promptLength), generated = [promptLength, n). */
const inWindow = (s: SampleSteering, t: number, promptLength: number): boolean =>
  s.window === "all" || (s.window === "prompt" ? t < promptLength : t >= promptLength);

/** Apply one sample's steering at one site in place: ablate x ← x − (x·d) d, then add the vector. */
function steer(x: Rows, n: number, width: number, s: SampleSteering | null, key: string, promptLength: number): void {
  if (!s) return;
  const d = s.ablate?.[key], add = s.add?.[key];
  if (!d && !add) return;
  for (let t = 0; t < n; t++) {
    if (!inWindow(s, t, promptLength)) continue;
    const row = t * width;
    if (d) {
      let dot = 0;
      for (let k = 0; k < width; k++) dot += x[row + k] * d[k];
      for (let k = 0; k < width; k++) x[row + k] -= dot * d[k];
    }
    if (add) for (let k = 0; k < width; k++) x[row + k] += add[k];
  }
}

// ---------------------------------------------------------------------------------------------- the model

/** Called with each site's activations [n, width] of one sample as they are computed. */
type Recorder = (key: string, x: Rows) => void;

/**
 * One sample's real tokens through the whole stack; returns the final-normed hidden states [n, H].
 * The block reads as x = x + attn(ln_attn(x)); x = x + mlp(ln_mlp(x)), with the hook sites in between.
 */
function forwardTokens(spec: ModelSpec, w: Weights, tokens: readonly number[], s: SampleSteering | null, promptLength: number, record: Recorder): Rows {
  const { hidden: H, nHeads, headDim: D } = spec;
  const n = tokens.length;
  const embed = get(w, "embed.weight");
  const posEmbed = spec.positions.kind === "learned" ? get(w, "pos_embed.weight") : null;
  let x = new Float32Array(n * H); // [n, H]
  for (let t = 0; t < n; t++)
    for (let k = 0; k < H; k++)
      x[t * H + k] = embed[tokens[t] * H + k] * spec.embedScale + (posEmbed ? posEmbed[t * H + k] : 0);

  for (let l = 0; l < spec.nLayers; l++) {
    const p = `layers.${l}`;
    record(siteKey(l, "resid_pre"), x);
    const heads = attention(spec, w, l, normOf(spec, w, `${p}.ln_attn`, x, n), n); // [n, nHeads*D]
    steer(heads, n, nHeads * D, s, siteKey(l, "attn_out"), promptLength);
    record(siteKey(l, "attn_out"), heads);
    let a = linear(heads, n, nHeads * D, get(w, `${p}.attn.o.weight`), H, w.get(`${p}.attn.o.bias`)?.data);
    if (spec.sandwichNorms) a = normOf(spec, w, `${p}.ln_attn_post`, a, n);
    x = x.map((v, i) => v + a[i]);
    record(siteKey(l, "resid_mid"), x);
    let m = mlp(spec, w, l, normOf(spec, w, `${p}.ln_mlp`, x, n), n);
    if (spec.sandwichNorms) m = normOf(spec, w, `${p}.ln_mlp_post`, m, n);
    x = x.map((v, i) => v + m[i]);
    steer(x, n, H, s, siteKey(l, "resid_post"), promptLength);
    record(siteKey(l, "resid_post"), x);
  }
  return normOf(spec, w, "final_norm", x, n);
}

/** Every canonical tensor must be present with its expected shape; extra tensors are an error too. */
function validateWeights(spec: ModelSpec, w: Weights): void {
  const expected = expectedShapes(spec);
  for (const [name, shape] of expected) {
    const t = w.get(name);
    if (!t) throw new Error(`reference forward: missing weight '${name}' (expected shape [${shape}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new Error(`reference forward: weight '${name}' has shape [${t.shape}], expected [${shape}]`);
  }
  for (const name of w.keys()) if (!expected.has(name)) throw new Error(`reference forward: unexpected weight '${name}' for ${spec.arch}`);
}

/** Which `${layer}.${site}` keys to capture. */
function captureKeys(spec: ModelSpec, capture: ForwardOptions["capture"]): string[] {
  if (!capture) return [];
  const layers = capture.layers ?? Array.from({ length: spec.nLayers }, (_, l) => l);
  for (const l of layers)
    if (!Number.isInteger(l) || l < 0 || l >= spec.nLayers) throw new Error(`capture.layers: layer ${l} does not exist (the model has ${spec.nLayers} layers)`);
  for (const site of capture.sites)
    if (!SITES.includes(site)) throw new Error(`capture.sites: unknown site '${site}' (expected one of ${SITES.join(", ")})`);
  return layers.flatMap((l) => capture.sites.map((site) => siteKey(l, site)));
}

/**
 * The reference forward over a batch of token sequences (left-padded to the longest). Logits are
 * lm_head(final_norm(x)) with the optional final softcap; captures and logits are 0 at padded positions.
 */
export function referenceForward(spec: ModelSpec, weights: Weights, ids: readonly (readonly number[])[], opts: ForwardOptions = {}): ForwardResult {
  validateWeights(spec, weights);
  const B = ids.length;
  if (B === 0) throw new Error("reference forward: the batch is empty");
  ids.forEach((seq, b) => {
    if (seq.length === 0) throw new Error(`reference forward: sequence ${b} is empty`);
    if (spec.positions.kind === "learned" && seq.length > spec.maxPositions)
      throw new Error(`reference forward: sequence ${b} has ${seq.length} tokens, more than maxPositions ${spec.maxPositions}`);
    seq.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= spec.vocabSize) throw new Error(`reference forward: token ${t} of sequence ${b} is ${id}, expected an integer in [0, ${spec.vocabSize})`);
    });
  });
  if (opts.steering) validateSteering(spec, opts.steering, B);
  if (opts.promptLengths && opts.promptLengths.length !== B) throw new Error(`promptLengths: ${opts.promptLengths.length} entries for a batch of ${B}`);
  opts.promptLengths?.forEach((p, b) => {
    if (!Number.isInteger(p) || p < 0 || p > ids[b].length) throw new Error(`promptLengths[${b}]: expected an integer in [0, ${ids[b].length}] (got ${p})`);
  });

  const T = Math.max(...ids.map((s) => s.length));
  const pad = ids.map((s) => T - s.length);
  const V = spec.vocabSize, H = spec.hidden;
  const keys = new Set(captureKeys(spec, opts.capture));
  const captures = new Map<string, Float32Array>();
  for (const key of keys) captures.set(key, new Float32Array(B * T * siteWidth(spec, key.split(".")[1] as SiteName)));
  const mode = opts.logits ?? "all";
  const logits = new Float32Array(mode === "all" ? B * T * V : mode === "none" ? 0 : B * V);
  const targetLogprobs = mode === "targets" ? new Float32Array(B * T) : undefined;
  const head = lmHead(spec, weights).data;

  for (let b = 0; b < B; b++) {
    const n = ids[b].length;
    const record: Recorder = (key, x) => {
      const out = captures.get(key);
      if (out) out.set(x, (b * T + pad[b]) * (x.length / n));
    };
    const final = forwardTokens(spec, weights, ids[b], opts.steering?.[b] ?? null, opts.promptLengths?.[b] ?? n, record);
    if (mode === "none") continue;
    const rows = mode === "last" ? final.subarray((n - 1) * H) : final;
    const z = linear(rows, rows.length / H, H, head, V);
    for (let i = 0; i < z.length; i++) z[i] = softcap(z[i], spec.finalSoftcap);
    if (mode === "all") logits.set(z, (b * T + pad[b]) * V);
    else if (mode === "last") logits.set(z, b * V);
    else {
      // "targets": the float64 log-softmax of each position at the next token (the graph's is float32).
      for (let p = 0; p + 1 < n; p++) targetLogprobs![b * T + pad[b] + p] = logSoftmaxAt(z, ids[b][p + 1], p * V, V);
      logits.set(z.subarray((n - 1) * V), b * V);
    }
  }
  return { pad, seqLen: T, logits, captures, ...(targetLogprobs ? { targetLogprobs } : {}) };
}
