import { sigmoid } from "../math/index";
import { createRng, deriveSeed } from "../util/index";

/**
 * A detector head on frozen features: logistic regression or a one-hidden-layer ReLU MLP, trained with Adam on a
 * class-weighted binary cross-entropy plus an L2 penalty on the weight matrices, features standardised with
 * training statistics, early stopping on a stratified held-out validation split (the best epoch's weights are
 * kept). Seeded: hidden-layer initialisation, split and batch order.
 * Plain TypeScript in float64 rather than tfjs: the problem is tiny (hundreds of rows), where tfjs's per-op
 * dispatch dominates (a 200-epoch logistic fit took ~1–7 s there, ~0.1 s here), and the result is the same bits
 * on every machine and backend, which the study's shard/merge equality relies on.
 */
export interface HeadConfig {
  kind: "logistic" | "mlp";
  /** MLP hidden width. */
  hidden: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Fraction of each class held out for early stopping. */
  validation: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  /** L2 penalty λ on weight matrices: loss + λ·Σw². */
  l2: number;
}

export const DEFAULT_HEAD: HeadConfig = { kind: "logistic", hidden: 64, epochs: 200, learningRate: 0.01, batchSize: 128, validation: 0.15, patience: 15, l2: 1e-3 };

export interface TrainedHead {
  /** P(violating) for each feature row. */
  predict(rows: readonly ArrayLike<number>[]): Float32Array;
  bestEpoch: number;
  validationLoss: number;
}

/** Adam's constants (Kingma & Ba's defaults; tfjs uses the same β's). */
const BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

/** Binary cross-entropy of logit z against y, stable for large |z|: max(z, 0) − z·y + log(1 + e^{−|z|}). */
const bce = (z: number, y: number): number => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));

/**
 * The head's parameters as one flat vector and its loss/gradient on a subset of standardised rows.
 * Layout: logistic [w (dim), b]; MLP [W1 (dim × hidden, row-major), b1 (hidden), w2 (hidden), b2].
 */
export interface HeadNet {
  size: number;
  /**
   * Initial parameters: zero output layer (so an untrained head predicts a constant and has AUROC exactly ½:
   * a head that learns nothing, e.g. from shuffled labels, cannot score by the luck of a random direction),
   * seeded Glorot-normal hidden weights for the MLP, zero biases.
   */
  init(seed: number): Float64Array;
  /** Logit of row x (length dim). */
  logit(theta: Float64Array, x: Float64Array, at: number): number;
  /** Weighted mean BCE over `idx` + L2; adds the gradient into `grad` when given. */
  loss(theta: Float64Array, x: Float64Array, y: ArrayLike<number>, w: ArrayLike<number>, idx: ArrayLike<number>, grad: Float64Array | null): number;
}

export function headNet(kind: HeadConfig["kind"], dim: number, hidden: number, l2: number): HeadNet {
  const H = kind === "mlp" ? hidden : 0;
  const oW1 = 0, oB1 = dim * Math.max(H, 1), oW2 = oB1 + Math.max(H, 1), oB2 = oW2 + H;
  const size = kind === "mlp" ? oB2 + 1 : dim + 1;
  const act = new Float64Array(Math.max(H, 1));
  /** Hidden pre-activations of row x into `act`; returns the logit. */
  const forward = (theta: Float64Array, x: Float64Array, at: number): number => {
    if (kind === "logistic") {
      let z = theta[dim];
      for (let k = 0; k < dim; k++) z += theta[k] * x[at + k];
      return z;
    }
    for (let j = 0; j < H; j++) act[j] = theta[oB1 + j];
    for (let k = 0; k < dim; k++) {
      const xk = x[at + k];
      if (xk === 0) continue;
      const row = oW1 + k * H;
      for (let j = 0; j < H; j++) act[j] += xk * theta[row + j];
    }
    let z = theta[oB2];
    for (let j = 0; j < H; j++) if (act[j] > 0) z += act[j] * theta[oW2 + j];
    return z;
  };
  const penalty = (theta: Float64Array, grad: Float64Array | null): number => {
    let s = 0;
    const add = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        s += theta[i] * theta[i];
        if (grad) grad[i] += 2 * l2 * theta[i];
      }
    };
    if (kind === "logistic") add(0, dim);
    else { add(oW1, oB1); add(oW2, oB2); }
    return l2 * s;
  };
  return {
    size,
    init(seed) {
      const rng = createRng(seed);
      const theta = new Float64Array(size);
      const glorot = (from: number, fanIn: number, fanOut: number) => {
        const sd = Math.sqrt(2 / (fanIn + fanOut));
        for (let i = 0; i < fanIn * fanOut; i++) theta[from + i] = sd * rng.normal();
      };
      if (kind === "mlp") glorot(oW1, dim, H);
      return theta;
    },
    logit: forward,
    loss(theta, x, y, w, idx, grad) {
      let total = 0, weight = 0;
      for (let q = 0; q < idx.length; q++) weight += w[idx[q]];
      for (let q = 0; q < idx.length; q++) {
        const i = idx[q], at = i * dim;
        const z = forward(theta, x, at);
        total += w[i] * bce(z, y[i]);
        if (!grad) continue;
        const dz = (w[i] * (sigmoid(z) - y[i])) / weight; // d(weighted mean BCE)/dz
        if (kind === "logistic") {
          for (let k = 0; k < dim; k++) grad[k] += dz * x[at + k];
          grad[dim] += dz;
          continue;
        }
        grad[oB2] += dz;
        for (let j = 0; j < H; j++) {
          if (act[j] <= 0) continue;
          grad[oW2 + j] += dz * act[j];
          const da = dz * theta[oW2 + j];
          grad[oB1 + j] += da;
          for (let k = 0; k < dim; k++) grad[oW1 + k * H + j] += da * x[at + k];
        }
      }
      return total / weight + penalty(theta, grad);
    },
  };
}

export function trainHead(rows: readonly ArrayLike<number>[], labels: readonly (0 | 1)[], cfg: HeadConfig, seed: number): TrainedHead {
  if (rows.length !== labels.length) throw new Error(`detector head: ${rows.length} feature rows but ${labels.length} labels`);
  const nPos = labels.filter((l) => l === 1).length, nNeg = labels.length - nPos;
  if (nPos < 2 || nNeg < 2) throw new Error(`detector head: needs at least 2 examples of each class (got ${nPos} violating, ${nNeg} compliant)`);
  const dim = rows[0].length, n = rows.length;
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`detector head: feature row ${i} has ${r.length} values, expected ${dim}`);
  });

  // Standardise with training statistics (the validation split included: it is training data too).
  const mean = new Float64Array(dim), std = new Float64Array(dim);
  for (const r of rows) for (let k = 0; k < dim; k++) mean[k] += r[k] / n;
  for (const r of rows) for (let k = 0; k < dim; k++) std[k] += (r[k] - mean[k]) ** 2 / n;
  for (let k = 0; k < dim; k++) std[k] = Math.sqrt(std[k]) + 1e-6;
  const standardise = (rs: readonly ArrayLike<number>[]): Float64Array => {
    const out = new Float64Array(rs.length * dim);
    rs.forEach((r, i) => { for (let k = 0; k < dim; k++) out[i * dim + k] = (r[k] - mean[k]) / std[k]; });
    return out;
  };
  const x = standardise(rows);

  // Stratified validation split: each class keeps at least one example on each side.
  const rng = createRng(deriveSeed(seed, "head-split"));
  const valIdx: number[] = [], trainIdx: number[] = [];
  for (const label of [0, 1] as const) {
    const ids = rng.shuffle(labels.flatMap((l, i) => (l === label ? [i] : [])));
    const nVal = Math.min(ids.length - 1, Math.max(1, Math.round(ids.length * cfg.validation)));
    valIdx.push(...ids.slice(0, nVal));
    trainIdx.push(...ids.slice(nVal));
  }
  // Class weights n / (2 n_c) balance the loss when positives and negatives differ in number.
  const cw = labels.map((l) => (l === 1 ? n / (2 * nPos) : n / (2 * nNeg)));

  const net = headNet(cfg.kind, dim, cfg.hidden, cfg.l2);
  const theta = net.init(deriveSeed(seed, "head-init"));
  const m = new Float64Array(net.size), v = new Float64Array(net.size), grad = new Float64Array(net.size);
  let best = { loss: net.loss(theta, x, labels, cw, valIdx, null), epoch: -1, theta: theta.slice() };
  const orderRng = createRng(deriveSeed(seed, "head-order"));
  let step = 0;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const order = orderRng.shuffle(trainIdx);
    for (let s = 0; s < order.length; s += cfg.batchSize) {
      grad.fill(0);
      net.loss(theta, x, labels, cw, order.slice(s, s + cfg.batchSize), grad);
      step++;
      const c1 = 1 - BETA1 ** step, c2 = 1 - BETA2 ** step;
      for (let i = 0; i < net.size; i++) {
        m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
        v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
        theta[i] -= (cfg.learningRate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPS);
      }
    }
    const vl = net.loss(theta, x, labels, cw, valIdx, null);
    if (vl < best.loss - 1e-6) best = { loss: vl, epoch, theta: theta.slice() };
    else if (epoch - best.epoch >= cfg.patience) break;
  }
  return {
    bestEpoch: best.epoch,
    validationLoss: best.loss,
    predict(rs) {
      const xs = standardise(rs);
      return Float32Array.from(rs, (_, i) => sigmoid(net.logit(best.theta, xs, i * dim)));
    },
  };
}
