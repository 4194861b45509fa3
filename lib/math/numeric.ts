/**
 * Scalar numeric helpers shared by every folder (one copy of each): means, standard deviations, the logistic
 * function and log-softmax. Sums are accumulated in JS numbers (float64).
 */

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The middle value of xs sorted (the upper of the two middle ones for an even count): the timing median of the benches and the speed probe. */
export const upperMedian = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Population standard deviation. */
export function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/** σ(z) = 1 / (1 + e^−z), written so that neither branch overflows. */
export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * log softmax(row)[index], computed stably, of the row logits[offset, offset + width) (default: all of logits).
 * Index loops over the buffer rather than for-of over a subarray: the judges call it once per response token
 * over a [B, T, V] block, where the iterator and the subarray objects cost half the time (measured).
 */
export function logSoftmaxAt(logits: Float32Array, index: number, offset = 0, width = logits.length - offset): number {
  const end = offset + width;
  let max = -Infinity;
  for (let i = offset; i < end; i++) { const x = logits[i]; if (x > max) max = x; }
  let sum = 0;
  for (let i = offset; i < end; i++) sum += Math.exp(logits[i] - max);
  return logits[offset + index] - max - Math.log(sum);
}
