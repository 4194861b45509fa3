import type * as tfjs from "@tensorflow/tfjs";
import type { LoadedModel } from "../checkpoint/index";
import { encodeExchange, truncateExchange } from "../engine/index";
import { type Tf, buildTfModel } from "../train/index";
import { createRng, deriveSeed, progress } from "../util/index";
import type { Example } from "./dataset";

/**
 * The fine-tune detector: a supported checkpoint with a classification head, ALL weights trained (tfjs, the
 * same differentiable model as the embedded-default training). The head reads the mean over the response
 * tokens of the hidden states after `layer` (default: the final norm's output) and outputs a logit.
 * Class-weighted binary cross-entropy, Adam, stratified validation split with early stopping (best epoch's
 * weights kept), seeded head initialisation and batch order.
 * Sequences are RIGHT-padded: in a causal model a real token never attends to a later pad, so no attention
 * mask is needed; pads are excluded from the pooling.
 */
export interface FinetuneConfig {
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Longer examples keep their first maxLen tokens. */
  maxLen: number;
  validation: number;
  patience: number;
  layer?: number;
}

export const DEFAULT_FINETUNE: FinetuneConfig = { epochs: 4, learningRate: 3e-4, batchSize: 16, maxLen: 96, validation: 0.15, patience: 1 };

interface Encoded { ids: number[]; start: number; end: number }

function encodeAll(model: LoadedModel, items: readonly Example[], maxLen: number): Encoded[] {
  const tok = model.tokenizer;
  if (!tok) throw new Error(`${model.dir}: the fine-tune detector needs the model's tokenizer`);
  return items.map((x, i) => {
    const e = encodeExchange(tok, x.user, x.response, `example ${i}`);
    const t = truncateExchange(e, maxLen);
    return { ids: t.ids, start: t.responseStart, end: t.responseEnd };
  });
}

export async function finetuneClassifier(
  tf: Tf, model: LoadedModel, train: readonly Example[], test: readonly Example[], cfg: FinetuneConfig, seed: number,
): Promise<{ scores: number[]; bestEpoch: number; validationLoss: number }> {
  const nPos = train.filter((e) => e.label === 1).length, nNeg = train.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`fine-tune detector: needs both classes (got ${nPos} violating, ${nNeg} compliant)`);
  const enc = encodeAll(model, train, cfg.maxLen), encTest = encodeAll(model, test, cfg.maxLen);
  const labels = train.map((e) => e.label);
  const H = model.spec.hidden;
  const lm = buildTfModel(tf, model.spec, model.weights);
  const rng = createRng(deriveSeed(seed, "finetune"));
  // tf.variable keeps its own reference to the initial value's data: the initial tensors are released here.
  const variable = (init: tfjs.Tensor): tfjs.Variable => { const v = tf.variable(init); init.dispose(); return v; };
  const w = variable(tf.randomNormal([H, 1], 0, 1 / Math.sqrt(H), "float32", deriveSeed(seed, "finetune-head")));
  const b = variable(tf.zeros([1]));
  const vars = [...lm.params.values(), w, b];

  const split = (label: 0 | 1) => rng.shuffle(labels.map((l, i) => (l === label ? i : -1)).filter((i) => i >= 0));
  const valIdx: number[] = [], trainIdx: number[] = [];
  for (const ids of [split(0), split(1)]) {
    const nVal = Math.max(1, Math.round(ids.length * cfg.validation));
    valIdx.push(...ids.slice(0, nVal));
    trainIdx.push(...ids.slice(nVal));
  }
  const wPos = train.length / (2 * nPos), wNeg = train.length / (2 * nNeg);

  /** Logits [B] for a batch of encoded examples. */
  const logits = (batch: readonly Encoded[]): tfjs.Tensor1D => {
    const T = Math.max(...batch.map((e) => e.ids.length));
    const ids = new Int32Array(batch.length * T), pool = new Float32Array(batch.length * T);
    batch.forEach((e, i) => {
      ids.set(e.ids, i * T);
      for (let t = e.start; t < e.end; t++) pool[i * T + t] = 1 / (e.end - e.start);
    });
    const h = lm.hiddenStates(tf.tensor2d(ids, [batch.length, T], "int32"), undefined, cfg.layer); // [B, T, H]
    const pooled = tf.sum(tf.mul(h, tf.tensor3d(pool, [batch.length, T, 1])), 1) as tfjs.Tensor2D; // [B, H]
    return tf.reshape(tf.add(tf.matMul(pooled, w), b), [-1]);
  };
  const loss = (idx: readonly number[]): tfjs.Scalar => {
    const z = logits(idx.map((i) => enc[i]));
    const y = tf.tensor1d(idx.map((i) => labels[i]));
    const cw = tf.tensor1d(idx.map((i) => (labels[i] === 1 ? wPos : wNeg)));
    const bce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    return tf.div(tf.sum(tf.mul(bce, cw)), tf.sum(cw)) as tfjs.Scalar;
  };
  const chunks = <T>(xs: readonly T[]): T[][] => Array.from({ length: Math.ceil(xs.length / cfg.batchSize) }, (_, k) => xs.slice(k * cfg.batchSize, (k + 1) * cfg.batchSize));
  const valLoss = (): number => {
    let total = 0;
    for (const c of chunks(valIdx)) total += tf.tidy(() => loss(c).dataSync()[0]) * c.length;
    return total / valIdx.length;
  };

  const optimizer = tf.train.adam(cfg.learningRate);
  let best = { loss: valLoss(), epoch: -1, values: vars.map((v) => v.clone()) };
  const bar = progress("fine-tune detector", cfg.epochs * Math.ceil(trainIdx.length / cfg.batchSize));
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      for (const c of chunks(rng.shuffle(trainIdx))) {
        tf.tidy(() => { optimizer.minimize(() => loss(c), false, vars); });
        bar.tick();
      }
      const vl = valLoss();
      if (vl < best.loss - 1e-6) {
        tf.dispose(best.values);
        best = { loss: vl, epoch, values: vars.map((v) => v.clone()) };
      } else if (epoch - best.epoch >= cfg.patience) break;
    }
  } finally {
    bar.done();
  }
  vars.forEach((v, i) => v.assign(best.values[i]));
  const scores: number[] = [];
  for (const c of chunks(encTest)) scores.push(...tf.tidy(() => tf.sigmoid(logits(c)).dataSync()));
  tf.dispose([...best.values, w, b]);
  optimizer.dispose();
  lm.dispose();
  return { scores, bestEpoch: best.epoch, validationLoss: best.loss };
}
