/**
 * Outputs of a forward must be finite: NaN logits would turn into token 0 under argmax and into empty or
 * garbage generations that a study would score. Weights (checkpoint load) and steering vectors (validateSteering)
 * are checked before a run, so a non-finite output means the activations overflowed float32.
 */
export function assertFinite(data: Float32Array, what: string, rowWidth: number): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw new Error(`${what}: the forward produced ${data[i]} at row ${Math.floor(i / rowWidth)}, column ${i % rowWidth}; ` +
        "the weights and steering vectors are finite, so activations overflowed float32 (a steering strength too large?)");
}
