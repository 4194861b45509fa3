/**
 * Scalar numeric helpers shared by every folder (one copy of each): means, standard deviations, the logistic
 * function and log-softmax. Sums are accumulated in JS numbers (float64).
 */

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Population standard deviation. */
export function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/** σ(z) = 1 / (1 + e^−z), written so that neither branch overflows. */
export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** log softmax(logits)[index], computed stably. */
export function logSoftmaxAt(logits: Float32Array, index: number): number {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  return logits[index] - max - Math.log(sum);
}
