/**
 * Weight-only block quantization in the layout of onnxruntime's `MatMulNBits` contrib op (com.microsoft), which
 * computes Y = A · dequant(B)ᵀ for a weight stored as N rows of K (PyTorch Linear layout, what our Gemms use with
 * transB = 1). Per row n, K is cut into blocks of `blockSize` (the last one zero-padded); each block has one fp32
 * scale s and stores q = clamp(round(w / s) + z, 0, 2^bits − 1) with the op's default zero point z = 2^(bits−1)
 * (no zero_points input: symmetric quantization, s = max|w| / (2^(bits−1) − 1)). dequant(q) = (q − z) · s.
 * Packing: B is uint8 [N, nBlocks, blockSize · bits / 8]; 4-bit values go two per byte, element 2i in the low
 * nibble and 2i + 1 in the high one; 8-bit values one per byte. Scales are fp32 [N, nBlocks].
 * Steering and everything outside these matrices stay fp32 (int8: see ACCURACY_LEVEL for the matmul inputs).
 */
export type WeightFormat = "fp32" | "int8" | "int4";
export const WEIGHT_FORMATS: readonly WeightFormat[] = ["fp32", "int8", "int4"];
export const BITS: Record<Exclude<WeightFormat, "fp32">, 4 | 8> = { int8: 8, int4: 4 };
/**
 * MatMulNBits' accuracy_level per bit width. 4-bit: 0 (weights dequantized, fp32 compute). 8-bit: 4 (the op
 * quantizes its input activations per block to int8 and accumulates in int32): in onnxruntime 1.30's CPU kernel
 * 8-bit weights have no fast fp32-compute path — `npm run bench matmulnbits`, [1, 2048] · [2048, 8192]ᵀ, 2 threads
 * (2026-12-02, load average ~15): fp32 Gemm 63.2 ms, 8-bit level 0 1850 ms (29×), 8-bit level 4 17.9 ms (0.28×),
 * 4-bit level 0 41.2 ms (0.65×). So with int8 each layer matmul's input is int8-quantized inside the op; the
 * residual stream, norms, attention, the KV cache and steering stay fp32.
 */
export const ACCURACY_LEVEL: Record<4 | 8, number> = { 4: 0, 8: 4 };
/** Elements per scale. 32 is the common choice for 4-bit LLM weights (GPTQ/AWQ/llama.cpp's Q4_0 use 32–128). */
export const BLOCK_SIZE = 32;

export interface Quantized {
  /** uint8 [N, nBlocks, blockSize · bits / 8] */
  packed: Uint8Array;
  /** fp32 [N, nBlocks] */
  scales: Float32Array;
  nBlocks: number;
}

/** Quantize a row-major [N, K] fp32 weight. */
export function quantizeRows(w: Float32Array, N: number, K: number, bits: 4 | 8, blockSize = BLOCK_SIZE): Quantized {
  if (w.length !== N * K) throw new Error(`quantize: ${w.length} values for [${N}, ${K}]`);
  const nBlocks = Math.ceil(K / blockSize), blob = (blockSize * bits) / 8;
  const zero = 1 << (bits - 1), qmax = (1 << bits) - 1, range = zero - 1;
  const packed = new Uint8Array(N * nBlocks * blob);
  const scales = new Float32Array(N * nBlocks);
  const q = new Uint8Array(blockSize);
  for (let n = 0; n < N; n++)
    for (let blk = 0; blk < nBlocks; blk++) {
      const k0 = blk * blockSize, k1 = Math.min(K, k0 + blockSize), row = n * K;
      let amax = 0;
      for (let k = k0; k < k1; k++) amax = Math.max(amax, Math.abs(w[row + k]));
      const s = amax / range;
      scales[n * nBlocks + blk] = s;
      const inv = s === 0 ? 0 : 1 / s;
      q.fill(zero); // padding (and an all-zero block) dequantizes to exactly 0
      for (let k = k0; k < k1; k++) q[k - k0] = Math.min(qmax, Math.max(0, Math.round(w[row + k] * inv) + zero));
      const out = (n * nBlocks + blk) * blob;
      if (bits === 8) packed.set(q, out);
      else for (let i = 0; i < blob; i++) packed[out + i] = q[2 * i] | (q[2 * i + 1] << 4);
    }
  return { packed, scales, nBlocks };
}

/** The fp32 [N, K] weight a quantized one stands for (the naive reference of the op's dequantization). */
export function dequantizeRows(qz: Quantized, N: number, K: number, bits: 4 | 8, blockSize = BLOCK_SIZE): Float32Array {
  const { packed, scales, nBlocks } = qz;
  const blob = (blockSize * bits) / 8, zero = 1 << (bits - 1);
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const blk = Math.floor(k / blockSize), i = k % blockSize, base = (n * nBlocks + blk) * blob;
      const v = bits === 8 ? packed[base + i] : (packed[base + (i >> 1)] >> ((i & 1) * 4)) & 0xf;
      out[n * K + k] = (v - zero) * scales[n * nBlocks + blk];
    }
  return out;
}

/** How far a quantized engine's logits are from fp32's, per position (row of V). */
export interface LogitDrift {
  maxAbs: number; // max |ref − q| over every logit
  kl: number; // mean over positions of KL(softmax(ref) ‖ softmax(q)), nats
  top1: number; // share of positions whose argmax agrees
}

/**
 * The drift of logits `q` from `ref` ([positions, V] row-major, the same inputs): what the README, the quantize test
 * and the scale bench report for int8/int4 against fp32. Log-softmax in float64.
 */
export function logitDrift(ref: Float32Array, q: Float32Array, V: number): LogitDrift {
  if (ref.length !== q.length || ref.length % V !== 0) throw new Error(`logitDrift: logits of ${ref.length} and ${q.length} values are not the same [positions, ${V}]`);
  const logZ = (x: Float32Array, o: number): number => {
    let m = -Infinity;
    for (let i = o; i < o + V; i++) m = Math.max(m, x[i]);
    let z = 0;
    for (let i = o; i < o + V; i++) z += Math.exp(x[i] - m);
    return m + Math.log(z);
  };
  let maxAbs = 0, kl = 0, top1 = 0;
  const rows = ref.length / V;
  for (let o = 0; o < ref.length; o += V) {
    const la = logZ(ref, o), lb = logZ(q, o);
    let am = o, bm = o;
    for (let i = o; i < o + V; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(ref[i] - q[i]));
      const pa = ref[i] - la;
      kl += Math.exp(pa) * (pa - (q[i] - lb));
      if (ref[i] > ref[am]) am = i;
      if (q[i] > q[bm]) bm = i;
    }
    if (am === bm) top1++;
  }
  return { maxAbs, kl: kl / rows, top1: top1 / rows };
}
