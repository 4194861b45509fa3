import { symmetricEigen } from "./linalg";
import { ngramKeys, ORDERS } from "./ngrams";
import { unitRows } from "./cosine";

/**
 * Vendi score (Friedman & Dieng 2023): exp of the order-q entropy of the eigenvalues λ of K/n, for a kernel
 * with k(x, x) = 1. q = 1 Shannon (the default), q ≠ 1 Rényi log(Σ λ^q)/(1 − q), q = ∞ −log max λ.
 * Ranges from 1 (all items identical) to n (all orthogonal).
 *
 * Every kernel here is K = X Xᵀ for feature rows X, so the nonzero eigenvalues come from the smaller of the
 * n×n kernel and the d×d dual XᵀX (same nonzero spectrum). Eigenvalues below n·ε·max λ are solver noise and are
 * dropped (they would otherwise count as items for q < 1).
 */
export type FeatureRows =
  | { kind: "dense"; rows: Float64Array[] }                              // [n][d]
  | { kind: "sparse"; dim: number; rows: { idx: Int32Array; val: Float64Array }[] };

export function vendiFromEigenvalues(eigenvalues: ArrayLike<number>, q = 1): number {
  if (!(q >= 0)) throw new Error(`vendi: order q must be ≥ 0 (or Infinity), got ${q}`);
  let max = 0;
  for (let i = 0; i < eigenvalues.length; i++) max = Math.max(max, eigenvalues[i]);
  const tol = eigenvalues.length * Number.EPSILON * max;
  const p: number[] = [];
  for (let i = 0; i < eigenvalues.length; i++) if (eigenvalues[i] > tol) p.push(eigenvalues[i]);
  if (p.length === 0) throw new Error("vendi: the kernel has no positive eigenvalue");
  let h: number;
  if (q === 1) h = -p.reduce((s, x) => s + x * Math.log(x), 0);
  else if (q === Infinity) h = -Math.log(max);
  else h = Math.log(p.reduce((s, x) => s + x ** q, 0)) / (1 - q);
  return Math.exp(h);
}

/** Vendi score of items given feature rows whose Gram matrix is the kernel (each row of unit norm). */
export function vendiFromFeatures(x: FeatureRows, q = 1): number {
  const n = x.rows.length;
  if (n === 0) throw new Error("vendi: needs at least one item");
  const d = x.kind === "dense" ? x.rows[0].length : x.dim;
  const useDual = d < n;
  const m = useDual ? d : n;
  const g = useDual ? dualGram(x, d) : gram(x);
  for (let i = 0; i < g.length; i++) g[i] /= n;
  return vendiFromEigenvalues(symmetricEigen(g, m, { label: `vendi eigenvalues (${m}×${m})` }).values, q);
}

/** K = X Xᵀ, lower triangle filled (what symmetricEigen reads). [n, n] */
function gram(x: FeatureRows): Float64Array {
  const n = x.rows.length, k = new Float64Array(n * n);
  if (x.kind === "dense") {
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
      const a = x.rows[i], b = x.rows[j];
      let s = 0;
      for (let t = 0; t < a.length; t++) s += a[t] * b[t];
      k[i * n + j] = s;
    }
    return k;
  }
  // Sparse: an inverted index (column → rows holding it) so that the cost is Σ_columns (rows holding it)².
  const postings: { row: number[]; val: number[] }[] = Array.from({ length: x.dim }, () => ({ row: [], val: [] }));
  for (let i = 0; i < n; i++) {
    const { idx, val } = x.rows[i];
    for (let t = 0; t < idx.length; t++) {
      const post = postings[idx[t]], v = val[t];
      for (let s = 0; s < post.row.length; s++) k[i * n + post.row[s]] += v * post.val[s];
      post.row.push(i);
      post.val.push(v);
      k[i * n + i] += v * v;
    }
  }
  return k;
}

/** Row i as (column indices, values); indices null for dense rows (column k = position k). */
function rowEntries(x: FeatureRows, i: number): { idx: Int32Array | null; val: Float64Array } {
  return x.kind === "dense" ? { idx: null, val: x.rows[i] } : x.rows[i];
}

/** XᵀX, lower triangle filled. [d, d] */
function dualGram(x: FeatureRows, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < x.rows.length; i++) {
    const { idx, val } = rowEntries(x, i);
    for (let a = 0; a < val.length; a++) {
      const ia = idx ? idx[a] : a, va = val[a];
      if (va === 0) continue;
      for (let b = 0; b < val.length; b++) {
        const ib = idx ? idx[b] : b;
        if (ib <= ia) c[ia * d + ib] += va * val[b];
      }
    }
  }
  return c;
}

/**
 * Feature rows of the n-gram kernel k(x, y) = mean over n = 1..4 of cos(counts_n(x), counts_n(y)): the four
 * unit-normalised count vectors concatenated, each scaled by 1/2 (so that the dot product is their mean).
 * A response with no n-gram of order n (fewer than n tokens) takes its whole token sequence as its single
 * order-n feature: identical short responses stay identical (k = 1) and differing ones share nothing at that
 * order, keeping k(x, x) = 1 for every response (cosine with a zero vector is undefined).
 */
export function ngramFeatures(seqs: readonly (readonly number[])[]): FeatureRows {
  const columns = new Map<string, number>();
  const column = (key: string): number => {
    let c = columns.get(key);
    if (c === undefined) { c = columns.size; columns.set(key, c); }
    return c;
  };
  const rows = seqs.map((ids) => {
    const idx: number[] = [], val: number[] = [];
    for (const n of ORDERS) {
      const keys = ids.length >= n ? ngramKeys(ids, n) : [`short:${ids.join(",")}`];
      const counts = new Map<number, number>();
      for (const key of keys) { const c = column(`${n}|${key}`); counts.set(c, (counts.get(c) ?? 0) + 1); }
      let norm = 0;
      for (const v of counts.values()) norm += v * v;
      const scale = 0.5 / Math.sqrt(norm);
      for (const [c, v] of counts) { idx.push(c); val.push(v * scale); }
    }
    return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
  });
  return { kind: "sparse", dim: columns.size, rows };
}

export const vendiNgram = (seqs: readonly (readonly number[])[], q = 1): number => vendiFromFeatures(ngramFeatures(seqs), q);

/** Vendi with the cosine kernel of embeddings. */
export const vendiEmbedding = (embeddings: readonly Float32Array[], q = 1): number =>
  vendiFromFeatures({ kind: "dense", rows: unitRows(embeddings) }, q);
