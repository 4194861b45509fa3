import type { Scalar, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import type { Tf } from "../train/backend";
import { createRng, deriveSeed } from "../util/rng";

/**
 * A detector head on frozen features: logistic regression or a one-hidden-layer MLP, trained with Adam on a
 * class-weighted binary cross-entropy, features standardised with training statistics, early stopping on a
 * held-out validation split (best epoch's weights kept). Seeded: initial weights, split and batch order.
 */
export interface HeadConfig {
  kind: "logistic" | "mlp";
  /** MLP hidden width. */
  hidden: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Fraction of the training set held out for early stopping. */
  validation: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  /** L2 penalty on weight matrices. */
  l2: number;
}

export const DEFAULT_HEAD: HeadConfig = { kind: "logistic", hidden: 64, epochs: 200, learningRate: 0.01, batchSize: 128, validation: 0.15, patience: 15, l2: 1e-3 };

export interface TrainedHead {
  /** P(violating) for each feature row. */
  predict(rows: readonly Float32Array[]): Float32Array;
  bestEpoch: number;
  validationLoss: number;
}

const stack = (rows: readonly Float32Array[], dim: number): Float32Array => {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`detector head: feature row ${i} has ${r.length} values, expected ${dim}`);
    out.set(r, i * dim);
  });
  return out;
};

export async function trainHead(tf: Tf, rows: readonly Float32Array[], labels: readonly (0 | 1)[], cfg: HeadConfig, seed: number): Promise<TrainedHead> {
  if (rows.length !== labels.length) throw new Error(`detector head: ${rows.length} feature rows but ${labels.length} labels`);
  const nPos = labels.filter((l) => l === 1).length, nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`detector head: needs both classes (got ${nPos} violating, ${nNeg} compliant)`);
  const dim = rows[0].length;

  // Standardise with training statistics (the validation split included: it is training data too).
  const mean = new Float32Array(dim), std = new Float32Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < dim; j++) std[j] += (r[j] - mean[j]) ** 2 / rows.length;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]) + 1e-6;
  const standardise = (rs: readonly Float32Array[]): Float32Array[] =>
    rs.map((r) => Float32Array.from(r, (x, j) => (x - mean[j]) / std[j]));

  // Stratified validation split so both classes are present in each part.
  const rng = createRng(deriveSeed(seed, "head-split"));
  const idx = (label: 0 | 1) => rng.shuffle(labels.map((l, i) => (l === label ? i : -1)).filter((i) => i >= 0));
  const valIdx: number[] = [], trainIdx: number[] = [];
  for (const ids of [idx(0), idx(1)]) {
    const nVal = Math.max(1, Math.round(ids.length * cfg.validation));
    valIdx.push(...ids.slice(0, nVal));
    trainIdx.push(...ids.slice(nVal));
  }
  const xs = standardise(rows);
  // Class weights n / (2 n_c) balance the loss when positives and negatives differ in number.
  const wPos = labels.length / (2 * nPos), wNeg = labels.length / (2 * nNeg);

  const initSeed = deriveSeed(seed, "head-init");
  const glorot = (fanIn: number, fanOut: number, s: number) =>
    tf.variable(tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(2 / (fanIn + fanOut)), "float32", s));
  const params = cfg.kind === "logistic"
    ? { w1: glorot(dim, 1, initSeed), b1: tf.variable(tf.zeros([1])) }
    : { w1: glorot(dim, cfg.hidden, initSeed), b1: tf.variable(tf.zeros([cfg.hidden])), w2: glorot(cfg.hidden, 1, initSeed + 1), b2: tf.variable(tf.zeros([1])) };
  const logits = (x: Tensor2D) => {
    const h = tf.add(tf.matMul(x, params.w1), params.b1);
    if (cfg.kind === "logistic") return tf.reshape(h, [-1]);
    return tf.reshape(tf.add(tf.matMul(tf.relu(h), params.w2!), params.b2!), [-1]);
  };
  const loss = (x: Tensor2D, y: Tensor1D, w: Tensor1D) => {
    // Numerically stable BCE with logits z: max(z, 0) − z·y + log(1 + e^{−|z|}), weighted per example.
    const z = logits(x);
    const bce = tf.mul(w, tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
    const l2 = tf.mul(cfg.l2, tf.add(tf.sum(tf.square(params.w1)), params.w2 ? tf.sum(tf.square(params.w2)) : tf.scalar(0)));
    return tf.add(tf.div(tf.sum(bce), tf.sum(w)), l2) as Scalar;
  };
  const tensors = (ids: number[]) => {
    const x = tf.tensor2d(stack(ids.map((i) => xs[i]), dim), [ids.length, dim]);
    const y = tf.tensor1d(ids.map((i) => labels[i]));
    const w = tf.tensor1d(ids.map((i) => (labels[i] === 1 ? wPos : wNeg)));
    return { x, y, w };
  };
  const val = tensors(valIdx);
  const optimizer = tf.train.adam(cfg.learningRate);
  const vars = Object.values(params);
  let best = { loss: Infinity, epoch: -1, values: vars.map((v) => v.clone()) };
  const orderRng = createRng(deriveSeed(seed, "head-order"));
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const order = orderRng.shuffle(trainIdx);
    for (let s = 0; s < order.length; s += cfg.batchSize) {
      const b = tensors(order.slice(s, s + cfg.batchSize));
      optimizer.minimize(() => loss(b.x, b.y, b.w), false, vars);
      tf.dispose([b.x, b.y, b.w]);
    }
    const vl = tf.tidy(() => loss(val.x, val.y, val.w).dataSync()[0]);
    if (vl < best.loss - 1e-6) {
      tf.dispose(best.values);
      best = { loss: vl, epoch, values: vars.map((v) => v.clone()) };
    } else if (epoch - best.epoch >= cfg.patience) break;
  }
  vars.forEach((v, i) => v.assign(best.values[i]));
  tf.dispose([...best.values, val.x, val.y, val.w]);
  optimizer.dispose();
  return {
    bestEpoch: best.epoch,
    validationLoss: best.loss,
    predict(rs) {
      if (rs.length === 0) return new Float32Array();
      return tf.tidy(() => tf.sigmoid(logits(tf.tensor2d(stack(standardise(rs), dim), [rs.length, dim]))).dataSync() as Float32Array);
    },
  };
}
