import type { ModelSpec } from "../arch/spec";

/**
 * RoPE inverse frequencies [headDim/2] with the checkpoint's scaling applied, computed on the host in
 * float64 (as Hugging Face's `_compute_*_parameters` do) and rounded once to float32.
 *   plain:  f_i = theta^(-2i/headDim)
 *   linear: f_i / factor   (positions divided by factor)
 *   llama3: long wavelengths divided by factor, short ones kept, a smooth blend in between (Llama 3.1).
 */
export function ropeInvFreq(spec: ModelSpec): Float32Array {
  if (spec.positions.kind !== "rope") throw new Error("ropeInvFreq: the model does not use rotary positions");
  const { theta, scaling } = spec.positions;
  const half = spec.headDim / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const f = 1 / theta ** ((2 * i) / spec.headDim);
    out[i] = scaling === null ? f : scaling.type === "linear" ? f / scaling.factor : llama3Scale(f, scaling);
  }
  return out;
}

function llama3Scale(f: number, s: { factor: number; lowFreqFactor?: number; highFreqFactor?: number; originalMaxPositions?: number }): number {
  const low = s.lowFreqFactor ?? 1, high = s.highFreqFactor ?? 4, orig = s.originalMaxPositions ?? 8192;
  const wavelen = (2 * Math.PI) / f;
  if (wavelen < orig / high) return f;
  if (wavelen > orig / low) return f / s.factor;
  const smooth = (orig / wavelen - low) / (high - low);
  return (1 - smooth) * (f / s.factor) + smooth * f;
}
