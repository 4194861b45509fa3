import * as ort from "onnxruntime-node";
import { siteKey, siteWidth } from "../arch/index";
import type { Engine, ForwardOptions, ForwardResult } from "./types";
import type { LoadedModel } from "../checkpoint/index";
import { checkContext, leftPad, validateIds } from "./batch";
import { embeddingRows, type EmbeddingRows } from "./embedding";
import { assertFinite } from "./finite";
import { generateBatched } from "./generate";
import { checkEngineOptions, openSession, type EngineOptions, type Feeds, type OpenSession, type RunGraph } from "./session";
import { steerMask, steeringVectors, validateSteering } from "./steering-feeds";
import { IO, normalizeVariant, variantKey, type GraphVariant } from "./variant";

/**
 * The ONNX engine: one session per graph variant actually used (forward, capture, decode), built from the
 * model's spec and weights on first use and cached on disk. Token ids become embedding rows here, on the host
 * (./embedding: one table per engine, read from the first session's weight file).
 */
export async function createEngine(model: LoadedModel, opts: EngineOptions = {}): Promise<Engine> {
  checkEngineOptions(opts);
  const { vocabSize, hidden } = model.spec;
  const sessions = new Map<string, Promise<OpenSession>>();
  let embedding: EmbeddingRows | null = null;
  const run: RunGraph = async (variant, feeds) => {
    const v = normalizeVariant(model.spec, variant);
    const key = variantKey(v);
    let s = sessions.get(key);
    if (!s) {
      s = openSession(model, v, opts);
      sessions.set(key, s);
      s.catch(() => sessions.delete(key));
    }
    const open = await s;
    embedding ??= embeddingRows(open.embedding, vocabSize, hidden);
    const { [IO.inputIds]: ids, ...rest } = feeds;
    // Only the inputs this graph has: a capture-only graph stops after its last captured block (graph.ts blocksRun),
    // so the steering inputs of the blocks after it are not there.
    const graphFeeds = Object.fromEntries(Object.entries(rest).filter(([name]) => open.inputs.has(name)));
    graphFeeds[IO.inputsEmbeds] = float32(embedding.lookup(ids.data as BigInt64Array), [...ids.dims, hidden]);
    return open.session.run(graphFeeds);
  };
  // Fail now, not at the first forward, when the execution provider is unusable.
  if (opts.executionProvider === "cuda") await run({ logits: "last", kv: false, capture: { sites: [], layers: [] } }, tokenFeeds(model, [[0]]));

  return {
    model,
    forward: (ids, fopts) => forward(model, run, ids, fopts ?? {}),
    generate: (prompts, sopts) => generateBatched(model, run, prompts, sopts),
    async dispose() {
      for (const s of sessions.values()) await (await s.catch(() => null))?.session.release();
      sessions.clear();
      embedding?.close();
      embedding = null;
    },
  };
}

const int64 = (data: BigInt64Array, dims: number[]) => new ort.Tensor("int64", data, dims);
export const float32 = (data: Float32Array, dims: number[]) => new ort.Tensor("float32", data, dims);

/** Token, mask, position and (unsteered) steering feeds for a left-padded batch without a cache. */
function tokenFeeds(model: LoadedModel, ids: readonly (readonly number[])[]): Feeds {
  const batch = leftPad(ids, model.generation.padTokenId ?? 0);
  const feeds: Feeds = {
    [IO.inputIds]: int64(batch.inputIds, [batch.B, batch.T]),
    [IO.attentionMask]: int64(batch.attentionMask, [batch.B, batch.T]),
    [IO.positionIds]: int64(batch.positionIds, [batch.B, batch.T]),
    [IO.steerMask]: float32(new Float32Array(batch.B * batch.T), [batch.B, batch.T]),
  };
  for (const [name, data] of steeringVectors(model.spec, undefined, batch.B)) feeds[name] = float32(data, [batch.B, data.length / batch.B]);
  return feeds;
}

async function forward(model: LoadedModel, run: RunGraph, ids: readonly (readonly number[])[], opts: ForwardOptions): Promise<ForwardResult> {
  const { spec } = model;
  validateIds(spec, ids);
  checkContext(spec, ids, 0);
  const B = ids.length;
  if (opts.steering) validateSteering(spec, opts.steering, B);
  const promptLengths = opts.promptLengths ?? ids.map((s) => s.length);
  if (promptLengths.length !== B) throw new Error(`promptLengths: ${promptLengths.length} entries for a batch of ${B}`);
  promptLengths.forEach((p, b) => {
    if (!Number.isInteger(p) || p < 0 || p > ids[b].length) throw new Error(`promptLengths[${b}]: expected an integer in [0, ${ids[b].length}] (got ${p})`);
  });

  const feeds = tokenFeeds(model, ids);
  const T = feeds[IO.inputIds].dims[1];
  const pad = ids.map((s) => T - s.length);
  if (opts.steering) {
    feeds[IO.steerMask] = float32(steerMask(opts.steering, B, T, pad, new Array(B).fill(0), promptLengths), [B, T]);
    for (const [name, data] of steeringVectors(spec, opts.steering, B)) feeds[name] = float32(data, [B, data.length / B]);
  }
  if (opts.logits === "targets") feeds[IO.targetIds] = int64(nextTokens(ids, T), [B, T]);
  const layers = opts.capture ? opts.capture.layers ?? Array.from({ length: spec.nLayers }, (_, l) => l) : [];
  const variant: GraphVariant = { logits: opts.logits ?? "all", kv: false, capture: { sites: opts.capture?.sites ?? [], layers } };
  const out = await run(variant, feeds);

  const captures = new Map<string, Float32Array>();
  for (const l of layers)
    for (const site of opts.capture!.sites) {
      const t = out[IO.capture(l, site)];
      if (t.data.length !== B * T * siteWidth(spec, site)) throw new Error(`internal: capture ${site}.${l} has ${t.data.length} values`);
      assertFinite(t.data as Float32Array, `capture ${siteKey(l, site)}`, siteWidth(spec, site));
      captures.set(siteKey(l, site), t.data as Float32Array);
    }
  const logits = variant.logits === "none" ? new Float32Array(0) : (out[IO.logits].data as Float32Array);
  assertFinite(logits, "logits", spec.vocabSize);
  if (variant.logits !== "targets") return { pad, seqLen: T, logits, captures };
  const targetLogprobs = out[IO.targetLogprobs].data as Float32Array;
  assertFinite(targetLogprobs, "target log-probabilities", T);
  // Positions without a next token read the dummy target 0: zero them, so nothing mistakes them for a read.
  pad.forEach((p, b) => {
    targetLogprobs.fill(0, b * T, b * T + p);
    targetLogprobs[b * T + T - 1] = 0;
  });
  return { pad, seqLen: T, logits, captures, targetLogprobs };
}

/** log p(token p | tokens < p) of sample b, from a forward with logits "targets" (1 ≤ p < its length): the one place that spells where it sits. */
export function tokenLogprob(res: ForwardResult, b: number, p: number): number {
  if (!res.targetLogprobs) throw new Error('tokenLogprob: the forward pass needs logits "targets"');
  return res.targetLogprobs[b * res.seqLen + res.pad[b] + p - 1];
}

/** [B·T] each left-padded position's next token (0 after the last token and in the padding): the "targets" input. */
function nextTokens(ids: readonly (readonly number[])[], T: number): BigInt64Array {
  const out = new BigInt64Array(ids.length * T);
  ids.forEach((seq, b) => {
    const pad = T - seq.length;
    for (let p = 0; p + 1 < seq.length; p++) out[b * T + pad + p] = BigInt(seq[p + 1]);
  });
  return out;
}
