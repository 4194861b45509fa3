import type * as tfjs from "@tensorflow/tfjs";
import { progress, createRng, deriveSeed, type Rng } from "../util/index";
import type { Tf } from "./backend";
import type { TfModel } from "./model";

/**
 * Next-token training of a TfModel: AdamW, linear warmup then cosine decay, global-norm gradient clipping,
 * length-bucketed batches in a seeded order, periodic held-out loss. No checkpoints: a run is short and is
 * reproduced from its seed instead (bit-identical on the wasm/cpu backends; see lib/train/README.md for the
 * native one).
 */

/** One training sequence. lossMask[t] = 1 when token t is a prediction target (t ≥ 1); default: every token. */
export interface TrainExample {
  ids: number[];
  lossMask?: number[];
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  /** Longer sequences are truncated to their first maxLen tokens. */
  maxLen: number;
  /** Peak learning rate, reached after warmupSteps; cosine decay to lr·minLrRatio at the last step. */
  lr: number;
  warmupSteps: number;
  minLrRatio: number;
  /** Decoupled weight decay (AdamW), applied to matrices and embeddings only, not to norms and biases. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Gradients are rescaled so their global L2 norm is at most clipNorm. */
  clipNorm: number;
  /** Seeds the batch order (the model's initialisation has its own seed). */
  seed: number;
  /** Held-out loss every evalEvery steps and at the end (0 = only at the end). */
  evalEvery: number;
  /** Progress-bar title. */
  label: string;
}

export const DEFAULT_TRAIN: Omit<TrainConfig, "steps" | "seed"> = {
  batchSize: 16, maxLen: 256, lr: 3e-3, warmupSteps: 50, minLrRatio: 0.1, weightDecay: 0.1,
  beta1: 0.9, beta2: 0.95, eps: 1e-8, clipNorm: 1, evalEvery: 0, label: "train",
};

export interface TrainResult {
  steps: number;
  /** Mean training loss (nats per target token) over the last 10% of steps. */
  finalTrainLoss: number;
  /** Held-out loss at the end (nats per target token); perplexity = exp(evalLoss). */
  evalLoss: number;
  lossHistory: number[];
  evalHistory: { step: number; loss: number }[];
  wallSeconds: number;
  /** Training tokens (including padding) processed per second. */
  tokensPerSecond: number;
  /** Median wall time of one optimisation step (eval excluded). */
  medianStepSeconds: number;
}

/** Learning rate at step s ∈ [0, steps): linear warmup to lr, then cosine decay to lr·minLrRatio. */
export function lrAt(s: number, cfg: Pick<TrainConfig, "steps" | "lr" | "warmupSteps" | "minLrRatio">): number {
  if (s < cfg.warmupSteps) return (cfg.lr * (s + 1)) / cfg.warmupSteps;
  const decaySteps = Math.max(1, cfg.steps - 1 - cfg.warmupSteps);
  const frac = Math.min(1, (s - cfg.warmupSteps) / decaySteps);
  const min = cfg.lr * cfg.minLrRatio;
  return min + (cfg.lr - min) * 0.5 * (1 + Math.cos(Math.PI * frac));
}

/**
 * One epoch of batches (lists of example indices): shuffle, then sort by length inside windows of 32 batches
 * so a batch holds similar lengths (little padding), then shuffle the batch order.
 */
export function epochBatches(lengths: readonly number[], batchSize: number, rng: Rng): number[][] {
  const order = rng.shuffle(lengths.map((_, i) => i));
  const window = batchSize * 32;
  const batches: number[][] = [];
  for (let w = 0; w < order.length; w += window) {
    const chunk = order.slice(w, w + window).sort((a, b) => lengths[a] - lengths[b] || a - b);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}

/** Host arrays of a right-padded batch: inputs, targets and target weights, each [B, T−1] row-major. */
interface Batch {
  B: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
}

/**
 * Right padding needs no attention mask: causal attention never lets a real token read a later pad, and pad
 * targets have weight 0.
 */
export function makeBatch(examples: readonly TrainExample[], maxLen: number): Batch {
  const seqs = examples.map((e) => e.ids.slice(0, maxLen));
  const L = Math.max(...seqs.map((s) => s.length));
  if (L < 2) throw new Error("makeBatch: every sequence of a batch has fewer than 2 tokens");
  const B = seqs.length, T = L - 1;
  const inputs = new Int32Array(B * T), targets = new Int32Array(B * T), weights = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    const mask = examples[b].lossMask;
    if (mask && mask.length !== examples[b].ids.length)
      throw new Error(`makeBatch: example ${b} has ${examples[b].ids.length} ids but ${mask.length} lossMask entries`);
    for (let t = 0; t + 1 < s.length; t++) {
      inputs[b * T + t] = s[t];
      targets[b * T + t] = s[t + 1];
      weights[b * T + t] = mask ? mask[t + 1] : 1;
    }
  });
  return { B, T, inputs, targets, weights };
}

/** Weighted mean next-token negative log-likelihood of a batch (a scalar tensor, differentiable). */
function batchLoss(tf: Tf, model: TfModel, batch: Batch): tfjs.Scalar {
  const { B, T } = batch;
  const { logits } = model.forward(tf.tensor2d(batch.inputs, [B, T], "int32"));
  const V = model.spec.vocabSize;
  const flat = logits.reshape([B * T, V]);
  const picked = flat.mul(tf.oneHot(tf.tensor1d(batch.targets, "int32"), V)).sum(-1);
  const nll = tf.logSumExp(flat, -1).sub(picked); // [B*T]
  const w = tf.tensor1d(batch.weights);
  return nll.mul(w).sum().div(tf.maximum(w.sum(), 1)) as tfjs.Scalar;
}

/** Held-out loss in nats per target token (token-weighted over all examples), in fixed order. */
export function evalLoss(tf: Tf, model: TfModel, examples: readonly TrainExample[], batchSize: number, maxLen: number): number {
  if (examples.length === 0) throw new Error("evalLoss: no examples");
  let total = 0, count = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = makeBatch(examples.slice(i, i + batchSize), maxLen);
    const n = batch.weights.reduce((a, b) => a + b, 0);
    if (n === 0) continue;
    total += tf.tidy(() => batchLoss(tf, model, batch).dataSync()[0]) * n;
    count += n;
  }
  if (count === 0) throw new Error("evalLoss: no example has a target token");
  return total / count;
}

/** Parameters that take weight decay: matrices and embeddings (rank 2), not norm weights or biases. */
const decays = (v: tfjs.Variable): boolean => v.rank >= 2;

/** Train in place; returns the loss curve and final losses. */
export function trainLM(tf: Tf, model: TfModel, train: readonly TrainExample[], heldOut: readonly TrainExample[], cfg: TrainConfig): TrainResult {
  if (train.length < cfg.batchSize) throw new Error(`trainLM: ${train.length} training examples, fewer than one batch of ${cfg.batchSize}`);
  if (!(cfg.steps > 0)) throw new Error(`trainLM: steps must be positive (got ${cfg.steps})`);
  const rng = createRng(deriveSeed(cfg.seed, "batch-order"));
  const lengths = train.map((e) => Math.min(e.ids.length, cfg.maxLen));
  const names = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n)!);
  // Adam moments; tidy frees the zero tensors they are created from.
  const m = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  const s2 = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));

  const lossHistory: number[] = [];
  const evalHistory: { step: number; loss: number }[] = [];
  const bar = progress(cfg.label, cfg.steps);
  const start = Date.now();
  let queue: number[][] = [];
  let tokens = 0;
  const stepSeconds: number[] = [];
  try {
    for (let step = 0; step < cfg.steps; step++) {
      if (queue.length === 0) queue = epochBatches(lengths, cfg.batchSize, rng);
      const batch = makeBatch(queue.pop()!.map((i) => train[i]), cfg.maxLen);
      tokens += batch.B * batch.T;
      const lr = lrAt(step, cfg);
      const t = step + 1;
      const stepStart = performance.now();
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => batchLoss(tf, model, batch), vars);
        const g = vars.map((v) => grads[v.name]);
        const norm = tf.sqrt(tf.addN(g.map((x) => x.square().sum())));
        const scale = tf.minimum(1, tf.div(cfg.clipNorm, norm.add(1e-6)));
        const c1 = 1 - cfg.beta1 ** t, c2 = 1 - cfg.beta2 ** t;
        vars.forEach((v, i) => {
          const gi = g[i].mul(scale);
          m[i].assign(m[i].mul(cfg.beta1).add(gi.mul(1 - cfg.beta1)));
          s2[i].assign(s2[i].mul(cfg.beta2).add(gi.square().mul(1 - cfg.beta2)));
          let update = m[i].div(c1).div(s2[i].div(c2).sqrt().add(cfg.eps));
          if (cfg.weightDecay > 0 && decays(v)) update = update.add(v.mul(cfg.weightDecay));
          v.assign(v.sub(update.mul(lr)));
        });
        return value.dataSync()[0];
      });
      if (!Number.isFinite(loss)) throw new Error(`trainLM: loss became ${loss} at step ${step} (lr ${lr}); lower the learning rate`);
      lossHistory.push(loss);
      stepSeconds.push((performance.now() - stepStart) / 1000);
      const last = step === cfg.steps - 1;
      if ((cfg.evalEvery > 0 && (step + 1) % cfg.evalEvery === 0) || last)
        // No gradients are kept in eval, so bigger batches fit and amortise per-op costs.
        evalHistory.push({ step: step + 1, loss: evalLoss(tf, model, heldOut, 4 * cfg.batchSize, cfg.maxLen) });
      const ev = evalHistory.at(-1);
      bar.label(`loss ${loss.toFixed(3)}${ev ? `, eval ${ev.loss.toFixed(3)}@${ev.step}` : ""}, lr ${lr.toExponential(1)}`);
      bar.tick();
    }
  } finally {
    bar.done();
    for (const v of [...m, ...s2]) v.dispose();
  }
  const wallSeconds = (Date.now() - start) / 1000;
  const tail = lossHistory.slice(-Math.max(1, Math.round(cfg.steps / 10)));
  return {
    steps: cfg.steps,
    finalTrainLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
    evalLoss: evalHistory.at(-1)!.loss,
    lossHistory,
    evalHistory,
    wallSeconds,
    tokensPerSecond: tokens / wallSeconds,
    medianStepSeconds: stepSeconds.sort((a, b) => a - b)[Math.floor(stepSeconds.length / 2)],
  };
}
