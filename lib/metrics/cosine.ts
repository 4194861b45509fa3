/** Cosine geometry of embedding sets, shared by the embedding Vendi kernel and the pairwise-distance metric. */

/** Unit-length Float64 copies of the embeddings; a zero or non-finite embedding is an error (its cosine is undefined). */
export function unitRows(embeddings: readonly Float32Array[]): Float64Array[] {
  if (embeddings.length === 0) return [];
  const d = embeddings[0].length;
  return embeddings.map((e, i) => {
    if (e.length !== d) throw new Error(`embedding ${i} has ${e.length} dimensions, expected ${d}`);
    let s = 0;
    for (let k = 0; k < d; k++) s += e[k] * e[k];
    const norm = Math.sqrt(s);
    if (!(norm > 0 && Number.isFinite(norm))) throw new Error(`embedding ${i} is zero or not finite: its cosine is undefined`);
    return Float64Array.from(e, (x) => x / norm);
  });
}

/**
 * Mean over unordered pairs of the cosine distance 1 − cos(e_i, e_j), in O(n·d):
 * Σ_{i≠j} cos = ‖Σ_i ê_i‖² − n. Needs at least 2 embeddings.
 */
export function meanPairwiseCosineDistance(embeddings: readonly Float32Array[]): number {
  const n = embeddings.length;
  if (n < 2) throw new Error(`meanPairwiseCosineDistance: needs at least 2 embeddings, got ${n}`);
  const rows = unitRows(embeddings);
  const sum = new Float64Array(rows[0].length);
  for (const r of rows) for (let k = 0; k < r.length; k++) sum[k] += r[k];
  let sq = 0;
  for (const s of sum) sq += s * s;
  return 1 - (sq - n) / (n * (n - 1));
}
