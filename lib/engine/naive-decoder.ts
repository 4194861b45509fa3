import type { ModelSpec, Weights } from "../arch/index";
import { createRng, type Rng } from "../util/index";
import { referenceForward } from "./reference";
import { argmax, cutAtStop, isGreedy, perSampleSeeds, sampleToken } from "./sampling";
import type { Generation, SampleSteering, SamplingOptions } from "./types";
import type { TextTokenizer } from "../checkpoint/index";

/**
 * The oracle decoder (nanoGPT's `generate`): every step recomputes the whole reference forward over prompt +
 * tokens so far, with no cache, and takes the last position's logits. Slow on purpose and obviously correct;
 * the KV-cached ONNX engine must produce the same tokens.
 *
 * Semantics every decoder shares:
 * - sample i draws from createRng(perSampleSeeds(...)[i]) (explicit seeds, or derived from seed and the prompt's
 *   index among all prompts), so results never depend on batchSize; greedy decoding needs no seed;
 * - a token in eosTokenIds (default spec.eosTokenIds) ends the sample and is not part of `ids`;
 * - stop strings are searched in the decoded text (skipSpecialTokens) after each token; the sample ends with
 *   `ids` holding every token generated so far and `text` cut before the earliest stop string;
 * - steering windows: prompt = positions [0, promptLength), generated = [promptLength, ∞), so window "generated"
 *   first changes the second new token (the first is read off the last prompt position).
 */
export function naiveGenerate(
  spec: ModelSpec,
  weights: Weights,
  prompts: readonly (readonly number[])[],
  opts: SamplingOptions & { tokenizer?: TextTokenizer },
): Generation[] {
  const { maxNewTokens } = opts;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new Error(`maxNewTokens: expected an integer ≥ 0 (got ${maxNewTokens})`);
  if (opts.stop?.length && !opts.tokenizer) throw new Error("stop: stop strings need a tokenizer to decode the generated text");
  if (opts.stop?.some((s) => s.length === 0)) throw new Error("stop: stop strings must not be empty");
  if (opts.steering && opts.steering.length !== prompts.length) throw new Error(`steering: ${opts.steering.length} entries for ${prompts.length} prompts`);
  const batchSize = opts.batchSize ?? Math.max(1, prompts.length);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize: expected an integer ≥ 1 (got ${opts.batchSize})`);
  const seeds = isGreedy(opts) ? null : perSampleSeeds(prompts.length, opts);
  const eos = new Set(opts.eosTokenIds ?? spec.eosTokenIds);

  const results: Generation[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, prompts.length - start) }, (_, i) => start + i);
    const rngs = indices.map((i) => (seeds ? createRng(seeds[i]) : null));
    results.push(...decodeBatch(spec, weights, indices.map((i) => prompts[i]), indices.map((i) => opts.steering?.[i] ?? null), rngs, eos, opts));
  }
  return results;
}

/** Decode one batch of prompts step by step until every sample has finished (rngs[b] null = greedy). */
function decodeBatch(
  spec: ModelSpec,
  weights: Weights,
  prompts: readonly (readonly number[])[],
  steering: (SampleSteering | null)[],
  rngs: (Rng | null)[],
  eos: Set<number>,
  opts: SamplingOptions & { tokenizer?: TextTokenizer },
): Generation[] {
  const out: Generation[] = prompts.map(() => ({ ids: [], finish: "length" }));
  const done = prompts.map(() => opts.maxNewTokens === 0);
  for (let step = 0; step < opts.maxNewTokens && done.includes(false); step++) {
    const live = prompts.map((_, b) => b).filter((b) => !done[b]);
    const { logits } = referenceForward(spec, weights, live.map((b) => [...prompts[b], ...out[b].ids]), {
      logits: "last",
      steering: live.map((b) => steering[b]),
      promptLengths: live.map((b) => prompts[b].length),
    });
    live.forEach((b, row) => {
      const rowLogits = logits.subarray(row * spec.vocabSize, (row + 1) * spec.vocabSize);
      const rng = rngs[b];
      const token = rng ? sampleToken(rowLogits, opts, rng) : argmax(rowLogits);
      if (eos.has(token)) { out[b].finish = "eos"; done[b] = true; return; }
      out[b].ids.push(token);
      if (opts.stop?.length && cutAtStop(out[b], opts.tokenizer!, opts.stop)) { done[b] = true; return; }
      if (out[b].ids.length >= opts.maxNewTokens) done[b] = true;
    });
  }
  if (opts.tokenizer)
    for (const g of out) if (g.finish !== "stop") g.text = opts.tokenizer.decode(g.ids, { skipSpecialTokens: true });
  return out;
}

