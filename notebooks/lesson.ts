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
import { createVector, type SteeringVector } from "../lib/steering/index";
import { createRng } from "../lib/util/index";
import { auroc, distinctN } from "../lib/metrics/index";

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

// ---- the exercises' checks: each runs the learner's function on seeded cases and compares with a reference ----

const cases = (seed: number, n: number, len: number): Float32Array[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: len }, () => rng.normal()));
};

/** 00: cosine similarity of two vectors. Reference: the textbook formula in float64. */
export function checkCosine(cosine: (a: Float32Array, b: Float32Array) => number): void {
  const [a, b] = cases(1, 2, 16);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  const got = attempt("cosine", () => [cosine(a, b), cosine(a, a), cosine(a, a.map((x) => -2 * x))]);
  return void checkClose("cosine", got, [dot / Math.sqrt(na * nb), 1, -1], 1e-5);
}

/** 01: the L2 norm of token t's row in a [1, T, hidden] capture. */
export function checkRowNorm(rowNorm: (capture: Float32Array, t: number, hidden: number) => number): void {
  const [flat] = cases(2, 1, 5 * 8);
  const want = [0, 3, 4].map((t) => Math.sqrt(Array.from(flat.subarray(t * 8, t * 8 + 8)).reduce((s, x) => s + x * x, 0)));
  return void checkClose("row norm", attempt("row norm", () => [0, 3, 4].map((t) => rowNorm(flat, t, 8))), want, 1e-4);
}

/** 02: the CAA direction as mean(positive) − mean(negative) of cached [n, width] activations. */
export function checkMeanDifference(meanDifference: (pos: Float32Array, neg: Float32Array, n: number, width: number) => Float32Array): void {
  const n = 3, width = 4;
  const [pos, neg] = cases(3, 2, n * width);
  const want = Array.from({ length: width }, (_, j) => {
    let d = 0;
    for (let i = 0; i < n; i++) d += (pos[i * width + j] - neg[i * width + j]) / n;
    return d;
  });
  return void checkClose("mean difference", attempt("mean difference", () => meanDifference(pos, neg, n, width)), want, 1e-5);
}

/** 03: the steering step: h + α·v for every token row of a [T, hidden] block. */
export function checkSteer(steer: (h: Float32Array, v: Float32Array, alpha: number) => Float32Array): void {
  const [h, v] = cases(4, 2, 6);
  const hRows = Float32Array.from([...h, ...h]); // two token rows of width 6
  const got = attempt("steering step", () => steer(hRows, v, -1.5));
  const want = Array.from(hRows, (x, i) => x - 1.5 * v[i % 6]);
  if (got && got === hRows) return void check("steering step", false, "return a new array; the cached activation must not change");
  return void checkClose("steering step", got, want, 1e-5);
}

/** 04: distinct-2 of a token sequence: unique bigrams / all bigrams (0 when there is none). */
export function checkDistinct2(distinct2: (tokens: readonly string[]) => number): void {
  const examples = [["a", "b", "a", "b", "a"], ["the", "cat", "sat", "on", "the", "cat"], ["x"], "so so so so".split(" ")];
  const ids = (t: readonly string[]) => t.map((w) => w.split("").reduce((h, ch) => h * 31 + ch.charCodeAt(0), 7));
  return void checkClose("distinct-2", attempt("distinct-2", () => examples.map((t) => distinct2(t))), examples.map((t) => distinctN(ids(t), 2)), 1e-9);
}

/** 05: AUROC by hand: P(score of a random positive > score of a random negative), ties counting half. */
export function checkAuroc(aurocByHand: (labels: readonly number[], scores: readonly number[]) => number): void {
  const rng = createRng(5);
  const labels = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const scores = labels.map((l) => Math.round((rng.normal() + l) * 4) / 4); // rounded: ties on purpose
  const flipped = labels.map((l) => 1 - l);
  const got = attempt("AUROC", () => [aurocByHand(labels, scores), aurocByHand(flipped, scores)]);
  return void checkClose("AUROC", got, [auroc(labels, scores), auroc(flipped, scores)], 1e-9);
}

/** 06: the harmonic mean of success, coherence and diversity (0 when any of them is 0). */
type Maybe = number | null;
export function checkHarmonicMean(hm: (scores: readonly number[]) => number, rows: readonly { success: Maybe; coherence: Maybe; diversity_set: Maybe; hm_scd: Maybe }[]): void {
  const usable = rows.filter((r) => [r.success, r.coherence, r.diversity_set, r.hm_scd].every((x) => typeof x === "number" && Number.isFinite(x)))
    .map((r) => r as { success: number; coherence: number; diversity_set: number; hm_scd: number }).slice(0, 20);
  if (usable.length === 0) return void check("harmonic mean", false, "the results have no row with all three scores");
  const got = attempt("harmonic mean", () => [...usable.map((r) => hm([r.success, r.coherence, r.diversity_set])), hm([0.5, 0, 1])]);
  return void checkClose("harmonic mean", got, [...usable.map((r) => r.hm_scd), 0], 1e-6);
}

/** 07: which contrast pairs teach nothing: positive = negative, or a text shared with another pair. Sorted indices. */
export function checkPairProblems(pairProblems: (pairs: readonly { positive: string; negative: string }[]) => number[]): void {
  const good = [{ positive: "Dear Sir, kindly find the answer below.", negative: "yo, here's the deal" }, { positive: "I would be honoured to assist.", negative: "sure thing" }];
  const cases = [
    { pairs: good, want: [] },
    { pairs: [...good, { positive: "same", negative: "same" }], want: [2] },
    { pairs: [...good, { positive: "Certainly.", negative: "sure thing" }], want: [1, 2] },
    { pairs: [{ positive: " x ", negative: "x" }, ...good], want: [0] },
  ];
  const got = attempt("pair problems", () => cases.map((c) => pairProblems(c.pairs)));
  if (!got) return;
  const bad = cases.findIndex((c, i) => JSON.stringify(got[i]) !== JSON.stringify(c.want));
  check("pair problems", bad < 0, bad < 0 ? "" : `case ${bad}: expected ${JSON.stringify(cases[bad].want)}, got ${JSON.stringify(got[bad])} (compare texts after trim())`);
}

/**
 * Run `fn` with stderr sent to stdout. For library code that logs status lines to stderr (right in a terminal):
 * JupyterLab paints every stderr output as an error block, and the study's status lines are not errors. Thrown
 * errors still surface as the cell's error.
 */
export async function logsToStdout<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => process.stdout.write(chunk)) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}
