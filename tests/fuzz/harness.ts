import { basename } from "node:path";
import fc from "fast-check";
import { expect } from "vitest";

/**
 * The fuzz suite's shared rules. Every property runs a fixed number of cases from a fixed seed, so a failure
 * reproduces exactly; fast-check prints the seed, the path and the shrunk counterexample when one fails
 * (rerun one case with `FUZZ_SEED=<seed> FUZZ_PATH=<path>`). FUZZ_RUNS scales the case counts (e.g. 10 for a
 * long local session); the default keeps the whole suite to about a minute on 2 cores.
 *
 * The invariant: an input either gives a valid output, or a clear error — an Error (not a TypeError /
 * RangeError / a non-Error throw, which mean an unchecked value reached code that assumed it) whose message
 * names the file.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);

export function fuzzParams(runs: number): fc.Parameters<unknown> {
  return {
    seed: FUZZ_SEED,
    numRuns: Math.max(1, Math.round(runs * SCALE)),
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    endOnFailure: true,
  };
}

/** Run `fn`; a throw must be a clear error naming `file` (its basename is enough: readers may shorten paths). */
export function outcome<T>(fn: () => T, file: string): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, message: checkError(e, file) };
  }
}

export async function outcomeAsync<T>(fn: () => Promise<T>, file: string): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, message: checkError(e, file) };
  }
}

function checkError(e: unknown, file: string): string {
  if (!(e instanceof Error)) throw new Error(`a non-Error was thrown: ${String(e)}`);
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError)
    throw new Error(`a ${e.constructor.name} escaped (an unchecked value): ${e.message}\n${e.stack}`);
  expect(e.message, `the error should name ${file}`).toContain(basename(file));
  return e.message;
}

/** Bytes of `base` with random corruptions: flipped bytes, a cut, or bytes spliced in. */
export const corruptedBytes = (base: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const b = Uint8Array.from(base);
      for (const [at, v] of edits) b[at] = v;
      return b;
    }),
    fc.nat(base.length).map((n) => base.slice(0, n)),
    fc.tuple(fc.nat(base.length), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, extra]) => Uint8Array.from([...base.slice(0, at), ...extra, ...base.slice(at)])),
  );

/** Any JSON value, small: what a corrupted field may hold. */
export const jsonValue = (): fc.Arbitrary<unknown> => fc.jsonValue({ maxDepth: 2 });

/** An object with one field replaced by a random JSON value, one deleted, or one random field added. */
export function mutatedObject(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), jsonValue()).map(([k, v]) => ({ ...base, [k]: v })),
    fc.constantFrom(...keys).map((k) => { const o = { ...base }; delete o[k]; return o; }),
    fc.tuple(fc.constantFrom(...keys), fc.constantFrom(0, -1, 0.5, 1e308, -1e308, 2 ** 53, "", "x", null, true, [], {})).map(([k, v]) => ({ ...base, [k]: v })),
  );
}
