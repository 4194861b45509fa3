import type { PairedActivations } from "../../lib/steering";
import { normalize } from "../../lib/math/linalg";
import { createRng } from "../../lib/util/rng";

/** A random unit vector. */
export function randomUnit(width: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return normalize(Float32Array.from({ length: width }, () => rng.normal()));
}

export interface PlantOptions {
  n: number;
  width: number;
  /** The planted unit direction. */
  d: Float32Array;
  /** Mean of the positive−negative gap c along d, and its spread across pairs (c ~ gap + spread·N(0,1)). */
  gap: number;
  spread?: number;
  /** Scale of the context shared by both sides of a pair (isotropic). */
  context?: number;
  /** Independent isotropic noise on each side. */
  noise: number;
  seed: number;
  /** Offset added to every activation (a non-zero mean, as real residual streams have). */
  offset?: Float32Array;
}

/** pos = base + (c/2)·d + noise, neg = base − (c/2)·d + noise, base shared within a pair. */
export function plantedPairs(o: PlantOptions): PairedActivations {
  const rng = createRng(o.seed);
  const positive = new Float32Array(o.n * o.width), negative = new Float32Array(o.n * o.width);
  for (let i = 0; i < o.n; i++) {
    const c = o.gap + (o.spread ?? 0) * rng.normal();
    for (let k = 0; k < o.width; k++) {
      const base = (o.context ?? 1) * rng.normal() + (o.offset ? o.offset[k] : 0);
      positive[i * o.width + k] = base + (c / 2) * o.d[k] + o.noise * rng.normal();
      negative[i * o.width + k] = base - (c / 2) * o.d[k] + o.noise * rng.normal();
    }
  }
  return { positive, negative, n: o.n, width: o.width };
}

/** Cyclic Jacobi eigen-decomposition of a symmetric matrix (naive reference). */
export function jacobiTopEigenvector(a: number[][]): number[] {
  const n = a.length;
  const A = a.map((r) => r.slice());
  const V: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      if (Math.abs(A[p][q]) < 1e-15) continue;
      const th = 0.5 * Math.atan2(2 * A[p][q], A[q][q] - A[p][p]);
      const c = Math.cos(th), s = Math.sin(th);
      for (let k = 0; k < n; k++) {
        const akp = A[k][p], akq = A[k][q];
        A[k][p] = c * akp - s * akq; A[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < n; k++) {
        const apk = A[p][k], aqk = A[q][k];
        A[p][k] = c * apk - s * aqk; A[q][k] = s * apk + c * aqk;
      }
      for (let k = 0; k < n; k++) {
        const vkp = V[k][p], vkq = V[k][q];
        V[k][p] = c * vkp - s * vkq; V[k][q] = s * vkp + c * vkq;
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (A[i][i] > A[best][best]) best = i;
  return V.map((r) => r[best]);
}

