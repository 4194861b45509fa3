/**
 * Small dense helpers over row-major Float32Array matrices ([n, width]). Every sum is accumulated in JS numbers
 * (float64) so results do not depend on float32 summation order.
 */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/** a / |a|; a zero (or non-finite) vector is an error naming `what`, never a silent zero direction. */
export function normalize(a: ArrayLike<number>, what = "vector"): Float32Array {
  const n = norm(a);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${what}: cannot normalise a vector of norm ${n}`);
  return Float32Array.from(a, (x) => x / n);
}

export const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => dot(a, b) / (norm(a) * norm(b));

export const scaled = (a: ArrayLike<number>, k: number): Float32Array => Float32Array.from(a, (x) => x * k);

/** Row i of an [n, width] matrix (a view, not a copy). */
export const row = (m: Float32Array, width: number, i: number): Float32Array => m.subarray(i * width, (i + 1) * width);

export const rowCount = (m: Float32Array, width: number): number => m.length / width;

/** Column means of an [n, width] matrix. */
export function meanRows(m: Float32Array, width: number): Float32Array {
  const n = rowCount(m, width);
  if (n === 0) throw new Error("meanRows: the matrix has no rows");
  const acc = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) acc[k] += m[i * width + k];
  return Float32Array.from(acc, (x) => x / n);
}

/** a − b elementwise (same shapes). */
export function subtract(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new Error(`subtract: lengths differ (${a.length} vs ${b.length})`);
  return a.map((x, i) => x - b[i]);
}

/** Every row minus the vector v ([width]). */
export function subtractFromRows(m: Float32Array, width: number, v: Float32Array): Float32Array {
  return m.map((x, i) => x - v[i % width]);
}

/** Mean Euclidean norm of the rows. */
export function meanRowNorm(m: Float32Array, width: number): number {
  const n = rowCount(m, width);
  let s = 0;
  for (let i = 0; i < n; i++) s += norm(row(m, width, i));
  return s / n;
}

/** Projections x_i · d of every row onto d. */
export function project(m: Float32Array, width: number, d: ArrayLike<number>): number[] {
  return Array.from({ length: rowCount(m, width) }, (_, i) => dot(row(m, width, i), d));
}

/**
 * The first principal axis of the rows of m: the unit top eigenvector of mᵀm (uncentred; centre the rows
 * first for the covariance's axis). Power iteration v ← mᵀ(m v) from the longest row, which is never
 * orthogonal to the top axis unless the matrix is degenerate; stops when the direction changes by less than
 * 1e-12 (1 − |cos|) or after maxIter steps. Sign is arbitrary: callers orient it.
 */
export function principalAxis(m: Float32Array, width: number, maxIter = 5000): Float32Array {
  const n = rowCount(m, width);
  if (n === 0) throw new Error("principalAxis: the matrix has no rows");
  let best = 0, bestNorm = -1;
  for (let i = 0; i < n; i++) {
    const r = norm(row(m, width, i));
    if (r > bestNorm) { bestNorm = r; best = i; }
  }
  let v = Float64Array.from(row(m, width, best));
  const mv = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    for (let i = 0; i < n; i++) mv[i] = dot(row(m, width, i), v);
    const next = new Float64Array(width);
    for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) next[k] += m[i * width + k] * mv[i];
    const len = norm(next);
    if (!(len > 0)) throw new Error("principalAxis: the rows span no direction (all zero?)");
    for (let k = 0; k < width; k++) next[k] /= len;
    const change = 1 - Math.abs(dot(next, v) / norm(v));
    v = next;
    if (change < 1e-12) break;
  }
  return Float32Array.from(v);
}
