import { tokenize } from "../tokenize";

/**
 * Hashed bag of word uni- and bigrams (FNV-1a into `dim` buckets), log(1 + count) damped, each row scaled to unit
 * length so that long responses do not score higher for being long. Collisions are possible by design
 * (the classifier tolerates them). The default 2¹² buckets keep the dense logistic fit to seconds.
 */
export const DEFAULT_FEATURE_DIM = 1 << 12;

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

export function hashedFeatures(texts: readonly string[], dim = DEFAULT_FEATURE_DIM): Float32Array {
  const x = new Float32Array(texts.length * dim); // [n, dim]
  texts.forEach((text, i) => {
    const toks = tokenize(text);
    const row = x.subarray(i * dim, (i + 1) * dim);
    const grams = [...toks, ...toks.slice(1).map((t, k) => `${toks[k]} ${t}`)];
    for (const g of grams) row[fnv1a(g) % dim] += 1;
    let ss = 0;
    for (let k = 0; k < dim; k++) if (row[k] > 0) { row[k] = Math.log1p(row[k]); ss += row[k] * row[k]; }
    if (ss > 0) { const inv = 1 / Math.sqrt(ss); for (let k = 0; k < dim; k++) row[k] *= inv; }
  });
  return x;
}
