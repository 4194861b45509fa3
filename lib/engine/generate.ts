import * as ort from "onnxruntime-node";
import { progress, type Progress, createRng, type Rng } from "../util/index";
import type { Generation, SampleSteering, SamplingOptions } from "./types";
import type { LoadedModel } from "../checkpoint/index";
import { leftPad, validateIds } from "./batch";
import type { Feeds, RunGraph } from "./session";
import { argmax, cutAtStop, isGreedy, perSampleSeeds, sampleToken } from "./sampling";
import { selectRows, steerMask, steeringVectors, validateSteering } from "./steering-feeds";
import { IO, type GraphVariant } from "./variant";

/**
 * KV-cached batched generation with the semantics of the naive decoder (lib/engine/naive-decoder.ts), which
 * tests hold it to token for token:
 * - sample i draws from createRng(perSampleSeeds(...)[i]), so results never depend on batchSize;
 * - an EOS token ends a sample and is not part of `ids`; stop strings cut `text` before the earliest one;
 * - steering windows: prompt = [0, promptLength), generated = [promptLength, ∞).
 * Finished samples leave the batch (their rows are dropped from the cache), so long tails cost only what runs.
 */
/** Free cache slots allocated beyond the prompt at first (the cache then doubles as needed). */
const FIRST_GROWTH = 32;

const DECODE: GraphVariant = { logits: "last", kv: true, capture: { sites: [], layers: [] } };

export async function generateBatched(model: LoadedModel, run: RunGraph, prompts: readonly (readonly number[])[], opts: SamplingOptions): Promise<Generation[]> {
  const { spec } = model;
  const { maxNewTokens } = opts;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new Error(`maxNewTokens: expected an integer ≥ 0 (got ${maxNewTokens})`);
  if (prompts.length === 0) return [];
  validateIds(spec, prompts, "prompts");
  if (spec.positions.kind === "learned") prompts.forEach((p, i) => {
    if (p.length + maxNewTokens > spec.maxPositions)
      throw new Error(`prompts[${i}]: ${p.length} tokens + maxNewTokens ${maxNewTokens} exceed the model's ${spec.maxPositions} positions`);
  });
  if (opts.stop?.length && !model.tokenizer) throw new Error("stop: stop strings need a tokenizer to decode the generated text");
  if (opts.stop?.some((s) => s.length === 0)) throw new Error("stop: stop strings must not be empty");
  if (opts.steering) validateSteering(spec, opts.steering, prompts.length);
  const batchSize = opts.batchSize ?? prompts.length;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize: expected an integer ≥ 1 (got ${opts.batchSize})`);
  const seeds = isGreedy(opts) ? null : perSampleSeeds(prompts.length, opts);
  const eos = new Set(opts.eosTokenIds ?? model.generation.eosTokenIds);

  const bar = progress("generate", prompts.length);
  const results: Generation[] = [];
  try {
    for (let start = 0; start < prompts.length; start += batchSize) {
      const indices = Array.from({ length: Math.min(batchSize, prompts.length - start) }, (_, i) => start + i);
      const chunk: Chunk = {
        prompts: indices.map((i) => prompts[i]),
        steering: indices.map((i) => opts.steering?.[i] ?? null),
        rngs: indices.map((i) => (seeds ? createRng(seeds[i]) : null)),
      };
      results.push(...(await decodeChunk(model, run, chunk, eos, opts, bar)));
    }
  } finally {
    bar.done();
  }
  return results;
}

interface Chunk {
  prompts: readonly (readonly number[])[];
  steering: (SampleSteering | null)[];
  /** null = greedy */
  rngs: (Rng | null)[];
}

/**
 * The samples still running (row r ↔ sample rows[r] of the chunk) with their KV cache: one host buffer per
 * layer and kind, [R, nKv, C, D]. The graph reads it in place (every slot, unused ones masked); each step's new
 * keys/values are written into slot `filled` here, so a decode step copies only [R, nKv, 1, D] per layer.
 * C starts at prompt + FIRST_GROWTH and doubles when full (up to prompt + maxNewTokens − 1, the most a sample can feed),
 * so attention never reads more than about twice the slots in use.
 */
interface LiveBatch {
  rows: number[];
  cache: Map<string, Float32Array>; // past_key.l / past_value.l → [R, nKv, C, D]
  capacity: number;
  filled: number;
  /** [R, C]: 1 for slots holding a real token (left padding of the prompt stays 0). */
  mask: BigInt64Array;
  vectors: Map<string, Float32Array>; // steering vectors [R, width]
}

async function decodeChunk(model: LoadedModel, run: RunGraph, chunk: Chunk, eos: Set<number>, opts: SamplingOptions, bar: Progress): Promise<Generation[]> {
  const { spec } = model;
  const { nKvHeads: nKv, headDim: D, vocabSize: V } = spec;
  const B = chunk.prompts.length;
  const out: Generation[] = chunk.prompts.map(() => ({ ids: [], finish: "length" }));
  const promptLengths = chunk.prompts.map((p) => p.length);

  // Prefill: the whole left-padded prompts against an empty cache.
  const batch = leftPad(chunk.prompts, model.generation.padTokenId ?? 0);
  const maxCapacity = batch.T + Math.max(0, opts.maxNewTokens - 1);
  const capacity = Math.min(maxCapacity, batch.T + FIRST_GROWTH);
  let live: LiveBatch = {
    rows: chunk.prompts.map((_, b) => b),
    cache: new Map(),
    capacity,
    filled: 0,
    mask: new BigInt64Array(B * capacity),
    vectors: steeringVectors(spec, chunk.steering, B),
  };
  for (let l = 0; l < spec.nLayers; l++)
    for (const name of [IO.pastKey(l), IO.pastValue(l)]) live.cache.set(name, new Float32Array(B * nKv * capacity * D));
  for (let b = 0; b < B; b++) live.mask.set(batch.attentionMask.subarray(b * batch.T, (b + 1) * batch.T), b * capacity);
  let step: { ids: BigInt64Array; positions: BigInt64Array; steer: Float32Array; T: number; mask: BigInt64Array } = {
    ids: batch.inputIds, positions: batch.positionIds, T: batch.T, mask: batch.attentionMask,
    steer: steerMask(chunk.steering, B, batch.T, batch.pad, new Array(B).fill(0), promptLengths),
  };
  const emptyCache = new Float32Array(0);

  for (let n = 0; n < opts.maxNewTokens && live.rows.length > 0; n++) {
    bar.label(`step ${n + 1}/${opts.maxNewTokens}, ${live.rows.length} running`);
    const R = live.rows.length;
    const prefill = n === 0; // the cache is still empty: attend over the prompt alone
    const feeds: Feeds = {
      [IO.inputIds]: new ort.Tensor("int64", step.ids, [R, step.T]),
      [IO.positionIds]: new ort.Tensor("int64", step.positions, [R, step.T]),
      [IO.attentionMask]: new ort.Tensor("int64", step.mask, [R, step.mask.length / R]),
      [IO.steerMask]: new ort.Tensor("float32", step.steer, [R, step.T]),
    };
    for (const [name, data] of live.cache)
      feeds[name] = new ort.Tensor("float32", prefill ? emptyCache : data, [R, nKv, prefill ? 0 : live.capacity, D]);
    for (const [name, data] of live.vectors) feeds[name] = new ort.Tensor("float32", data, [R, data.length / R]);
    const res = await run(DECODE, feeds);
    const logits = res[IO.logits].data as Float32Array; // [R, V]
    if (live.filled + step.T > live.capacity) live = grow(live, Math.min(maxCapacity, Math.max(live.filled + step.T, 2 * live.capacity)), nKv, D);
    for (let l = 0; l < spec.nLayers; l++) {
      writeSlots(live, IO.pastKey(l), res[IO.newKey(l)].data as Float32Array, step.T, nKv, D);
      writeSlots(live, IO.pastValue(l), res[IO.newValue(l)].data as Float32Array, step.T, nKv, D);
    }
    if (!prefill) for (let r = 0; r < R; r++) live.mask[r * live.capacity + live.filled] = 1n; // prefill's mask was set above
    live.filled += step.T;

    const keep: number[] = [];
    live.rows.forEach((b, r) => {
      const row = logits.subarray(r * V, (r + 1) * V);
      const rng = chunk.rngs[b];
      const token = rng ? sampleToken(row, opts, rng) : argmax(row);
      const g = out[b];
      let running = false;
      if (eos.has(token)) g.finish = "eos";
      else {
        g.ids.push(token);
        running = !(opts.stop?.length && cutAtStop(g, model.tokenizer!, opts.stop)) && g.ids.length < opts.maxNewTokens;
      }
      if (running) keep.push(r);
      else bar.tick();
    });
    if (keep.length < R) live = shrink(live, keep);
    // Next step feeds each running sample its newest token at position promptLength + generated − 1.
    const rows = live.rows.length;
    const next = live.rows.map((b) => ({ token: out[b].ids[out[b].ids.length - 1], pos: promptLengths[b] + out[b].ids.length - 1 }));
    const mask = new BigInt64Array(rows * (live.capacity + 1)); // [R, C + 1]: the cache slots, then the new token
    for (let r = 0; r < rows; r++) {
      mask.set(live.mask.subarray(r * live.capacity, (r + 1) * live.capacity), r * (live.capacity + 1));
      mask[r * (live.capacity + 1) + live.capacity] = 1n;
    }
    step = {
      T: 1,
      ids: BigInt64Array.from(next, (x) => BigInt(x.token)),
      positions: BigInt64Array.from(next, (x) => BigInt(x.pos)),
      steer: steerMask(live.rows.map((b) => chunk.steering[b]), rows, 1, new Array(rows).fill(0), next.map((x) => x.pos), live.rows.map((b) => promptLengths[b])),
      mask,
    };
  }
  for (let i = 0; i < live.rows.length; i++) bar.tick();
  if (model.tokenizer) for (const g of out) if (g.finish !== "stop") g.text = model.tokenizer.decode(g.ids, { skipSpecialTokens: true });
  return out;
}

/** The same cache in buffers of `capacity` slots (the filled slots copied, the rest free). */
function grow(live: LiveBatch, capacity: number, nKv: number, D: number): LiveBatch {
  const R = live.rows.length, C = live.capacity;
  const cache = new Map<string, Float32Array>();
  for (const [name, data] of live.cache) {
    const bigger = new Float32Array(R * nKv * capacity * D);
    for (let rh = 0; rh < R * nKv; rh++) bigger.set(data.subarray(rh * C * D, (rh * C + live.filled) * D), rh * capacity * D);
    cache.set(name, bigger);
  }
  const mask = new BigInt64Array(R * capacity);
  for (let r = 0; r < R; r++) mask.set(live.mask.subarray(r * C, r * C + live.filled), r * capacity);
  return { ...live, cache, mask, capacity };
}

/** Copy this step's keys or values [R, nKv, T, D] into cache slots [filled, filled + T). */
function writeSlots(live: LiveBatch, name: string, fresh: Float32Array, T: number, nKv: number, D: number): void {
  const cache = live.cache.get(name)!;
  const R = live.rows.length;
  for (let rh = 0; rh < R * nKv; rh++)
    cache.set(fresh.subarray(rh * T * D, (rh + 1) * T * D), (rh * live.capacity + live.filled) * D);
}

/** Keep only rows `keep` of the live batch (cache, mask and vectors). */
function shrink(live: LiveBatch, keep: number[]): LiveBatch {
  const R = live.rows.length;
  const cache = selectRows(live.cache, R, keep);
  const C = live.capacity;
  const mask = new BigInt64Array(keep.length * C);
  keep.forEach((r, i) => mask.set(live.mask.subarray(r * C, (r + 1) * C), i * C));
  return { ...live, rows: keep.map((r) => live.rows[r]), cache, mask, vectors: selectRows(live.vectors, R, keep) };
}

