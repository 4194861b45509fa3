/**
 * Helpers the lessons share: exercise checks and the random control vector. Imported by notebooks as
 * `./notebooks/lesson` (the kernel runs in the repository root). Kept small: the study's logic lives in lib/.
 *
 * Exercises. A code cell tagged "exercise" holds a stub the learner completes and ends with a check; the markdown
 * cell after it (tagged "solution") holds the solution inside a collapsed <details> block. A check prints
 * "✓ …" or "✗ not yet: …" and never stops Run All — except under STEERSYNTH_EXERCISES=solutions, which the test
 * runners set after putting each solution in place of its stub: there a wrong answer is an error, so CI tests the
 * solutions (scripts/kernel/exercises.mjs).
 */
import { createVector, type SteeringVector } from "../lib/steering/vector";
import { createRng } from "../lib/util/rng";

const strict = (): boolean => process.env.STEERSYNTH_EXERCISES === "solutions";

/** Report an exercise result; `detail` says what was expected when it is wrong. */
export function check(exercise: string, ok: boolean, detail: string): boolean {
  if (ok) { console.log(`✓ ${exercise}: correct`); return true; }
  const msg = `✗ ${exercise}: not yet — ${detail}`;
  if (strict()) throw new Error(msg);
  console.log(msg);
  return false;
}

/** A learner's function that still throws "TODO" counts as not attempted, with the same message as a wrong answer. */
export function attempt<T>(exercise: string, run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    const msg = (err as Error).message;
    if (strict()) throw err;
    console.log(`✗ ${exercise}: not yet — ${msg}`);
    return undefined;
  }
}

/** Largest absolute difference between two arrays (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Check numbers against a reference within `tol` (absolute), naming the first mismatch. */
export function checkClose(exercise: string, got: ArrayLike<number> | number | undefined, want: ArrayLike<number> | number, tol = 1e-4): boolean {
  if (got === undefined) return false;
  const g = typeof got === "number" ? [got] : got, w = typeof want === "number" ? [want] : want;
  if (g.length !== w.length) return check(exercise, false, `expected ${w.length} values, got ${g.length}`);
  const d = maxAbsDiff(g, w);
  const i = Array.from(w).findIndex((x, k) => Math.abs(x - g[k]) > tol || !Number.isFinite(g[k]));
  return check(exercise, d <= tol && i < 0, i < 0 ? `off by ${d}` : `value ${i} is ${g[i]}, expected ${w[i]} (±${tol})`);
}

/**
 * The control every steering claim needs: a random direction with the same norm as `vector` at each layer (a
 * seeded Gaussian, rescaled). An effect that the random vector produces too is not the concept's.
 */
export function randomControl(vector: SteeringVector, seed: number): SteeringVector {
  const rng = createRng(seed);
  const directions = new Map<number, Float32Array>();
  for (const [layer, d] of vector.directions) {
    const r = Float32Array.from(d, () => rng.normal());
    const scale = Math.hypot(...d) / Math.hypot(...r);
    directions.set(layer, r.map((x) => x * scale));
  }
  return createVector({ model: vector.model, site: vector.site, method: `random(${vector.method})`, read: vector.read, directions, details: { control: "random direction, same norm per layer", seed } });
}
