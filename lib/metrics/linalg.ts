import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { progress } from "../util/index";

/**
 * Symmetric eigendecomposition in plain TypeScript (Float64): Householder reduction to tridiagonal form, then
 * the implicit QL algorithm with Wilkinson-style shifts (Numerical Recipes' tred2 + tqli, the EISPACK lineage).
 * Eigenvalues only cost ≈ 4n³/3 flops (the reduction dominates; it reads rows only, and from n = 400 splits
 * each step between this thread and a worker); eigenvectors add ≈ 3n³ more and are computed only when asked for.
 */
export interface SymmetricEigen {
  /** Ascending. */
  values: Float64Array; // [n]
  /** Column j is the unit eigenvector of values[j] (row-major [n, n]); present when requested. */
  vectors?: Float64Array;
}

const MAX_QL_ITERATIONS = 60;

export interface EigenOptions {
  vectors?: boolean;
  /** Progress title: shows the reduction's n steps (worth it from n in the hundreds). */
  label?: string;
  /**
   * Threads for the reduction: 1, or 2 (a worker thread takes half of each step's rows; used from n = 400).
   * Default: 2 where the machine has 2 or more cores. Results agree to rounding (the sums are split differently).
   */
  threads?: number;
}

/** Eigen of a symmetric matrix given row-major [n, n] (only the lower triangle is read). */
export function symmetricEigen(a: Float64Array, n: number, opts: EigenOptions = {}): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: matrix has ${a.length} entries, expected ${n}×${n}`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new Error(`symmetricEigen: entry ${i} is not finite`);
  const wantVectors = opts.vectors ?? false;
  const d = new Float64Array(n), e = new Float64Array(n);
  const bar = opts.label ? progress(opts.label, Math.max(0, n - 1)) : null; // one tick per Householder step
  const threads = opts.threads ?? Math.min(2, availableParallelism());
  const z = tridiagonalize(a, n, d, e, wantVectors, threads, () => bar?.tick());
  bar?.done();
  tridiagonalQL(d, e, n, wantVectors ? z : null);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!wantVectors) return { values };
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vectors[r * n + c] = z[r * n + order[c]];
  return { values, vectors };
}

/**
 * One Householder step's work on rows [from, to) of the leading block: apply the pending rank-2 update
 * A ← A − uPrev qPrevᵀ − qPrev uPrevᵀ to row j (lower triangle), then accumulate p += A u from that row
 * (p[k] += A[j][k] u[j] for k < j, p[j] += A[j]·u). Self-contained — no outer references — because its source
 * text also runs in the helper thread.
 */
function reduceRows(z: Float64Array, n: number, from: number, to: number, u: Float64Array, uPrev: Float64Array, qPrev: Float64Array, pending: boolean, p: Float64Array): void {
  for (let j = from; j < to; j++) {
    const rj = j * n, uj = u[j];
    let s = 0;
    if (pending) {
      const ujPrev = uPrev[j], qjPrev = qPrev[j];
      // Unrolled by 2 with two partial sums: V8 keeps FP additions in order, so one accumulator would serialise
      // the loop on the add latency.
      let s1 = 0, k = 0;
      for (; k + 1 < j; k += 2) {
        const a0 = z[rj + k] - (ujPrev * qPrev[k] + qjPrev * uPrev[k]);
        const a1 = z[rj + k + 1] - (ujPrev * qPrev[k + 1] + qjPrev * uPrev[k + 1]);
        z[rj + k] = a0;
        z[rj + k + 1] = a1;
        s += a0 * u[k];
        s1 += a1 * u[k + 1];
        p[k] += a0 * uj;
        p[k + 1] += a1 * uj;
      }
      for (; k < j; k++) {
        const a = z[rj + k] - (ujPrev * qPrev[k] + qjPrev * uPrev[k]);
        z[rj + k] = a;
        s += a * u[k];
        p[k] += a * uj;
      }
      s += s1;
      z[rj + j] -= 2 * ujPrev * qjPrev;
    } else {
      for (let k = 0; k < j; k++) { const a = z[rj + k]; s += a * u[k]; p[k] += a * uj; }
    }
    p[j] += s + z[rj + j] * uj;
  }
}

/** Runs reduceRows over rows [0, i): all on this thread, or the upper rows on a helper thread. */
interface RowReducer {
  run(i: number, pending: boolean): void;
  close(): void;
}

/** Buffers shared by the main thread and the helper (SharedArrayBuffer-backed when a helper is used). */
interface StepBuffers { z: Float64Array; u: Float64Array; uPrev: Float64Array; qPrev: Float64Array; p: Float64Array }

const serialReducer = (b: StepBuffers, n: number): RowReducer => ({
  run: (i, pending) => { b.p.fill(0, 0, i); reduceRows(b.z, n, 0, i, b.u, b.uPrev, b.qPrev, pending, b.p); },
  close: () => {},
});

/** ctl slots: request sequence, i, split row, pending flag, done sequence, ready flag. */
const CTL = { seq: 0, i: 1, split: 2, pending: 3, done: 4, ready: 5 } as const;
const HELPER_TIMEOUT_MS = 60_000;

/** Waits (blocking) until ctl[slot] === value; false on timeout. */
function waitFor(ctl: Int32Array, slot: number, value: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (let v = Atomics.load(ctl, slot); v !== value; v = Atomics.load(ctl, slot)) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(ctl, slot, v, left);
  }
  return true;
}

/**
 * Two threads: this one reduces rows [0, split), a worker rows [split, i), with split = i/√2 so both halves of
 * the triangle hold the same work; the worker accumulates into its own p, added here. Null when the helper
 * does not start (then the caller reduces serially).
 */
function parallelReducer(b: StepBuffers, n: number): RowReducer | null {
  const ctl = new Int32Array(new SharedArrayBuffer(6 * 4));
  const pHelper = new Float64Array(new SharedArrayBuffer(n * 8));
  const source = `
    const { workerData } = require("node:worker_threads");
    const reduceRows = ${reduceRows.toString()};
    const { z, u, uPrev, qPrev, p, ctl, n } = workerData;
    Atomics.store(ctl, ${CTL.ready}, 1); Atomics.notify(ctl, ${CTL.ready});
    for (let seen = 0;;) {
      Atomics.wait(ctl, ${CTL.seq}, seen);
      seen = Atomics.load(ctl, ${CTL.seq});
      const i = ctl[${CTL.i}];
      if (i < 0) break;
      p.fill(0, 0, i);
      reduceRows(z, n, ctl[${CTL.split}], i, u, uPrev, qPrev, ctl[${CTL.pending}] === 1, p);
      Atomics.store(ctl, ${CTL.done}, seen); Atomics.notify(ctl, ${CTL.done});
    }`;
  const worker = new Worker(source, { eval: true, workerData: { z: b.z, u: b.u, uPrev: b.uPrev, qPrev: b.qPrev, p: pHelper, ctl, n } });
  worker.unref();
  if (!waitFor(ctl, CTL.ready, 1, 10_000)) { void worker.terminate(); return null; }
  let seq = 0;
  return {
    run(i, pending) {
      const split = Math.floor(i / Math.SQRT2);
      ctl[CTL.i] = i; ctl[CTL.split] = split; ctl[CTL.pending] = pending ? 1 : 0;
      Atomics.store(ctl, CTL.seq, ++seq);
      Atomics.notify(ctl, CTL.seq);
      b.p.fill(0, 0, i);
      reduceRows(b.z, n, 0, split, b.u, b.uPrev, b.qPrev, pending, b.p);
      if (!waitFor(ctl, CTL.done, seq, HELPER_TIMEOUT_MS)) throw new Error("symmetricEigen: the helper thread stopped answering");
      for (let k = 0; k < i; k++) b.p[k] += pHelper[k];
    },
    close() {
      ctl[CTL.i] = -1;
      Atomics.store(ctl, CTL.seq, ++seq);
      Atomics.notify(ctl, CTL.seq);
    },
  };
}

/** Below this size a helper thread's start-up (tens of ms) costs more than it saves. */
const PARALLEL_MIN_N = 400;

/**
 * Householder tridiagonalisation in place: diagonal → d, sub-diagonal → e (e[i] couples i−1 and i).
 * Step i reflects row i of the leading (i+1)×(i+1) block; its rank-2 update of rows < i is applied lazily, row by
 * row, inside step i−1's matrix-vector product, so each step streams the lower triangle once instead of twice.
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array, wantVectors: boolean, threads: number, step: () => void): Float64Array {
  const shared = threads > 1 && n >= PARALLEL_MIN_N;
  const buffer = (len: number): Float64Array => new Float64Array(shared ? new SharedArrayBuffer(len * 8) : new ArrayBuffer(len * 8));
  const b: StepBuffers = { z: buffer(n * n), u: buffer(n), uPrev: buffer(n), qPrev: buffer(n), p: buffer(n) };
  b.z.set(a);
  const { z, u, uPrev, qPrev, p } = b;
  const reducer = (shared && parallelReducer(b, n)) || serialReducer(b, n);
  let pending = false; // whether (uPrev, qPrev) is an update still to apply to rows ≤ the current one
  const applyPending = (rj: number, j: number): void => {
    const uj = uPrev[j], qj = qPrev[j];
    for (let k = 0; k <= j; k++) z[rj + k] -= uj * qPrev[k] + qj * uPrev[k];
  };
  try {
    for (let i = n - 1; i > 0; i--) {
      const l = i - 1, ri = i * n;
      if (pending) applyPending(ri, i);
      let h = 0, scale = 0;
      for (let k = 0; k < i; k++) scale += Math.abs(z[ri + k]);
      if (l === 0 || scale === 0) {
        e[i] = z[ri + l];
        if (pending) for (let j = 0; j < i; j++) applyPending(j * n, j);
        pending = false;
      } else {
        // u = row i's first i entries (scaled), the Householder vector; P = I − u uᵀ / h.
        for (let k = 0; k < i; k++) { z[ri + k] /= scale; h += z[ri + k] * z[ri + k]; }
        const f0 = z[ri + l];
        const g0 = f0 >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g0;
        h -= f0 * g0;
        z[ri + l] = f0 - g0;
        u.set(z.subarray(ri, ri + i));
        reducer.run(i, pending); // p = A u over the leading i×i block, after the pending update
        if (wantVectors) for (let j = 0; j < i; j++) z[j * n + i] = u[j] / h;
        let f = 0;
        for (let j = 0; j < i; j++) { p[j] /= h; f += p[j] * u[j]; }
        const hh = f / (h + h);
        // Pending: A ← A − u qᵀ − q uᵀ with q = p − hh u.
        for (let j = 0; j < i; j++) qPrev[j] = p[j] - hh * u[j];
        uPrev.set(u.subarray(0, i));
        pending = true;
      }
      d[i] = h;
      step();
    }
  } finally {
    reducer.close();
  }
  if (pending && n > 0) applyPending(0, 0);
  e[0] = 0;
  if (!wantVectors) {
    for (let i = 0; i < n; i++) d[i] = z[i * n + i];
    return z;
  }
  d[0] = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    if (d[i] !== 0) {
      for (let j = 0; j < i; j++) {
        let g = 0;
        for (let k = 0; k < i; k++) g += z[ri + k] * z[k * n + j];
        for (let k = 0; k < i; k++) z[k * n + j] -= g * z[k * n + i];
      }
    }
    d[i] = z[ri + i];
    z[ri + i] = 1;
    for (let j = 0; j < i; j++) z[j * n + i] = z[ri + j] = 0;
  }
  return z;
}

/** Implicit QL on the tridiagonal (d, e); rotations are applied to z's columns when z is given. */
function tridiagonalQL(d: Float64Array, e: Float64Array, n: number, z: Float64Array | null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0, m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter++ === MAX_QL_ITERATIONS) throw new Error(`symmetricEigen: QL did not converge for eigenvalue ${l}`);
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1, c = 1, p = 0, i: number;
      for (i = m - 1; i >= l; i--) {
        const f = s * e[i], b = c * e[i];
        e[i + 1] = r = Math.hypot(f, g);
        if (r === 0) { d[i + 1] -= p; e[m] = 0; break; }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        d[i + 1] = g + (p = s * r);
        g = c * r - b;
        if (z) {
          for (let k = 0; k < n; k++) {
            const rk = k * n, zf = z[rk + i + 1];
            z[rk + i + 1] = s * z[rk + i] + c * zf;
            z[rk + i] = c * z[rk + i] - s * zf;
          }
        }
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    } while (m !== l);
  }
}
