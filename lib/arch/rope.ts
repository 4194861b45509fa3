import type { ModelSpec } from "./spec";

/**
 * Rotary inverse frequencies [headDim/2]: 1/theta^(2j/headDim), rescaled as Hugging Face's
 * rope_scaling "linear" (all divided by factor) or "llama3" (long wavelengths divided by factor, short kept,
 * a smooth blend between).
 */
export function ropeInverseFrequencies(spec: ModelSpec): number[] {
  if (spec.positions.kind !== "rope") throw new Error(`${spec.arch}: ropeInverseFrequencies needs rotary positions`);
  const { theta, scaling } = spec.positions;
  const half = spec.headDim / 2;
  const base = Array.from({ length: half }, (_, j) => 1 / theta ** ((2 * j) / spec.headDim));
  if (scaling === null) return base;
  if (scaling.type === "linear") return base.map((f) => f / scaling.factor);
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositions } = scaling;
  if (lowFreqFactor === undefined || highFreqFactor === undefined || originalMaxPositions === undefined)
    throw new Error(`${spec.arch}: llama3 rope scaling needs lowFreqFactor, highFreqFactor and originalMaxPositions`);
  const lowFreqWavelen = originalMaxPositions / lowFreqFactor;
  const highFreqWavelen = originalMaxPositions / highFreqFactor;
  return base.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highFreqWavelen) return f;
    if (wavelen > lowFreqWavelen) return f / factor;
    const smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}
