import * as ort from "onnxruntime-node";
import { progress, type Progress } from "../util/progress";
import { createRng, type Rng } from "../util/rng";
import type { Generation, LoadedModel, SampleSteering, SamplingOptions, TextTokenizer } from "./types";
import { leftPad, validateIds } from "./batch";
import type { Feeds, RunGraph } from "./engine";
import { argmax, isGreedy, perSampleSeeds, sampleToken } from "./sampling";
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

/** The cache and per-row inputs of the samples still running (row r ↔ sample rows[r] of the chunk). */
interface LiveBatch {
  rows: number[];
  kv: Map<string, ort.Tensor>; // past_key.l / past_value.l [R, nKv, S, D]
  mask: BigInt64Array; // [R, S]
  vectors: Map<string, Float32Array>; // steering vectors [R, width]
}

async function decodeChunk(model: LoadedModel, run: RunGraph, chunk: Chunk, eos: Set<number>, opts: SamplingOptions, bar: Progress): Promise<Generation[]> {
  const { spec } = model;
  const B = chunk.prompts.length;
  const out: Generation[] = chunk.prompts.map(() => ({ ids: [], finish: "length" }));
  const promptLengths = chunk.prompts.map((p) => p.length);
  const V = spec.vocabSize;

  // Prefill: the whole left-padded prompts with an empty cache.
  const batch = leftPad(chunk.prompts, model.generation.padTokenId ?? 0);
  const empty = new Float32Array(0);
  let live: LiveBatch = {
    rows: chunk.prompts.map((_, b) => b),
    kv: new Map(),
    mask: batch.attentionMask,
    vectors: steeringVectors(spec, chunk.steering, B),
  };
  for (let l = 0; l < spec.nLayers; l++) {
    live.kv.set(IO.pastKey(l), new ort.Tensor("float32", empty, [B, spec.nKvHeads, 0, spec.headDim]));
    live.kv.set(IO.pastValue(l), new ort.Tensor("float32", empty, [B, spec.nKvHeads, 0, spec.headDim]));
  }
  let step: { ids: BigInt64Array; positions: BigInt64Array; steer: Float32Array; T: number } = {
    ids: batch.inputIds, positions: batch.positionIds, T: batch.T,
    steer: steerMask(chunk.steering, B, batch.T, batch.pad, new Array(B).fill(0), promptLengths),
  };

  for (let n = 0; n < opts.maxNewTokens && live.rows.length > 0; n++) {
    bar.label(`step ${n + 1}/${opts.maxNewTokens}, ${live.rows.length} running`);
    const R = live.rows.length, S = live.mask.length / R;
    const feeds: Feeds = {
      [IO.inputIds]: new ort.Tensor("int64", step.ids, [R, step.T]),
      [IO.positionIds]: new ort.Tensor("int64", step.positions, [R, step.T]),
      [IO.attentionMask]: new ort.Tensor("int64", live.mask, [R, S]),
      [IO.steerMask]: new ort.Tensor("float32", step.steer, [R, step.T]),
    };
    for (const [name, t] of live.kv) feeds[name] = t;
    for (const [name, data] of live.vectors) feeds[name] = new ort.Tensor("float32", data, [R, data.length / R]);
    const res = await run(DECODE, feeds);
    const logits = res[IO.logits].data as Float32Array; // [R, V]
    for (let l = 0; l < spec.nLayers; l++) {
      live.kv.set(IO.pastKey(l), res[IO.presentKey(l)]);
      live.kv.set(IO.pastValue(l), res[IO.presentValue(l)]);
    }

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
    live = keep.length === R ? live : shrink(live, keep);
    live.mask = appendOnes(live.mask, live.rows.length);
    // Next step feeds each running sample its newest token at position promptLength + generated − 1.
    const next = live.rows.map((b) => ({ token: out[b].ids[out[b].ids.length - 1], pos: promptLengths[b] + out[b].ids.length - 1 }));
    step = {
      T: 1,
      ids: BigInt64Array.from(next, (x) => BigInt(x.token)),
      positions: BigInt64Array.from(next, (x) => BigInt(x.pos)),
      steer: steerMask(live.rows.map((b) => chunk.steering[b]), live.rows.length, 1, new Array(live.rows.length).fill(0), next.map((x) => x.pos), live.rows.map((b) => promptLengths[b])),
    };
  }
  for (let i = 0; i < live.rows.length; i++) bar.tick();
  if (model.tokenizer) for (const g of out) if (g.finish !== "stop") g.text = model.tokenizer.decode(g.ids, { skipSpecialTokens: true });
  return out;
}

/** Keep only rows `keep` of the live batch (cache, mask and vectors). */
function shrink(live: LiveBatch, keep: number[]): LiveBatch {
  const R = live.rows.length;
  const kv = new Map<string, ort.Tensor>();
  for (const [name, t] of live.kv) {
    const [, nKv, S, D] = t.dims;
    const stride = nKv * S * D, src = t.data as Float32Array;
    const data = new Float32Array(keep.length * stride);
    keep.forEach((r, i) => data.set(src.subarray(r * stride, (r + 1) * stride), i * stride));
    kv.set(name, new ort.Tensor("float32", data, [keep.length, nKv, S, D]));
  }
  const S = live.mask.length / R;
  const mask = new BigInt64Array(keep.length * S);
  keep.forEach((r, i) => mask.set(live.mask.subarray(r * S, (r + 1) * S), i * S));
  return { rows: keep.map((r) => live.rows[r]), kv, mask, vectors: selectRows(live.vectors, R, keep) };
}

/** [R, S] → [R, S + 1] with a 1 (the token about to be fed) in the new column. */
function appendOnes(mask: BigInt64Array, R: number): BigInt64Array {
  if (R === 0) return new BigInt64Array(0);
  const S = mask.length / R;
  const out = new BigInt64Array(R * (S + 1));
  for (let r = 0; r < R; r++) {
    out.set(mask.subarray(r * S, (r + 1) * S), r * (S + 1));
    out[r * (S + 1) + S] = 1n;
  }
  return out;
}

/** If the decoded text contains a stop string, cut the text before the earliest one and mark the sample stopped. */
function cutAtStop(g: Generation, tokenizer: TextTokenizer, stop: readonly string[]): boolean {
  const text = tokenizer.decode(g.ids, { skipSpecialTokens: true });
  const at = Math.min(...stop.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  if (!Number.isFinite(at)) return false;
  g.text = text.slice(0, at);
  g.finish = "stop";
  return true;
}
