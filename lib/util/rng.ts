/**
 * Seeded randomness. Every sampled result in steersynth takes a seed; sub-streams are derived by hashing
 * (seed, key...) so that a sample's randomness depends on its own identity, not on the order work ran in.
 */

/** Seeds are 32-bit unsigned integers: every entry point that takes a seed accepts exactly [0, MAX_SEED]. */
export const MAX_SEED = 2 ** 32 - 1;

/** 32-bit FNV-1a over the seed and keys, mixed: a stable child seed for a named sub-stream. */
export function deriveSeed(seed: number, ...keys: (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = keys.join("\u0000");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= seed >>> 16;
  return mix32(h >>> 0);
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/** sfc32 generator seeded through splitmix-style mixing; fast and well distributed for simulation use. */
export function createRng(seed: number): Rng {
  let a = mix32(seed ^ 0x9e3779b9), b = mix32(a ^ 0x243f6a88), c = mix32(b ^ 0xb7e15162), d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    normal() {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    pick(items) {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[int(items.length)];
    },
    shuffle(items) {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}
