import type { TextTokenizer } from "../checkpoint/index";
import { type Engine, type ForwardResult, forwardByLength, tokenLogprob } from "../engine/index";

/** A prompt and the response to score, as token ids of the reference model. */
export interface ScoredText { promptIds: number[]; responseIds: number[] }

/** Logits of every position cost T·V floats per sequence inside onnxruntime (twice, with their log-softmax): batches stay under ~256 MB of them (≤ 16 sequences). */
export function logitsBatchSize(seqs: readonly (readonly number[])[], vocabSize: number): number {
  const longest = seqs.reduce((m, s) => Math.max(m, s.length), 1);
  return Math.max(1, Math.min(16, Math.floor((256 << 20) / (4 * longest * vocabSize))));
}

/**
 * Which vocabulary ids continue a word: decoded after the token for "a", they add a letter with no space
 * before it ("a" + "ion" → "aion"), whatever the tokenizer's space convention (Ġ, ▁, ##).
 */
export function wordContinuationIds(tok: TextTokenizer, vocabSize: number): Uint8Array {
  const a = tok.encode("a", { addSpecialTokens: false });
  const base = tok.decode(a);
  const out = new Uint8Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) {
    const added = tok.decode([...a, id]).slice(base.length);
    out[id] = /^\p{L}/u.test(added) ? 1 : 0;
  }
  return out;
}

const continuationIds = new WeakMap<Engine, Uint8Array>();

/** P(the next token continues the last word) from a logits row [V], for the engine's tokenizer. */
export function continuationMass(engine: Engine, logitsRow: Float32Array): number {
  const tok = engine.model.tokenizer;
  if (!tok) throw new Error(`${engine.model.dir}: the word-continuation mass needs the model's tokenizer`);
  const cont = continuationIds.get(engine) ?? continuationIds.set(engine, wordContinuationIds(tok, engine.model.spec.vocabSize)).get(engine)!;
  let max = -Infinity;
  for (let v = 0; v < logitsRow.length; v++) if (logitsRow[v] > max) max = logitsRow[v];
  let z = 0, c = 0;
  for (let v = 0; v < logitsRow.length; v++) { const e = Math.exp(logitsRow[v] - max); z += e; if (cont[v]) c += e; }
  return c / z;
}

/**
 * What one forward pass over prompt ++ response reads for the judges: the NLL of every response token
 * [responseIds.length], and, when asked for, the word-continuation mass after the last one (continuationMass;
 * it needs a tokenizer that decodes the whole vocabulary).
 */
export interface ResponseRead { nll: Float64Array; continuation?: number }

/**
 * Reads already made, per engine (its weights never change), keyed by prompt and response ids: the success judge
 * (exchange features) and the coherence judge read the same texts — given the user turn and after an empty one —
 * and the second read is then free. Cleared when it reaches MEMO_LIMIT entries (≈ 50 MB at 60 tokens each).
 */
const memo = new WeakMap<Engine, Map<string, ResponseRead>>();
const MEMO_LIMIT = 100_000;
const memoKey = (it: ScoredText): string => `${it.promptIds.join(",")}|${it.responseIds.join(",")}`;
const memoOf = (engine: Engine): Map<string, ResponseRead> => memo.get(engine) ?? memo.set(engine, new Map()).get(engine)!;

/** The read of sample b of a forward pass with logits "targets" over prompt ++ response (left padding). */
export function readResponse(engine: Engine, res: ForwardResult, b: number, item: ScoredText, continuation: boolean): ResponseRead {
  const V = engine.model.spec.vocabSize, P = item.promptIds.length;
  const nll = Float64Array.from(item.responseIds, (_, r) => -tokenLogprob(res, b, P + r)); // [responseIds.length]
  if (!continuation) return { nll };
  return { nll, continuation: continuationMass(engine, res.logits.subarray(b * V, (b + 1) * V)) };
}

/** Store reads another pass made (readResponse on its logits), so later reads of the same texts are free. */
export function rememberReads(engine: Engine, items: readonly ScoredText[], reads: readonly ResponseRead[]): void {
  const known = memoOf(engine);
  if (known.size + items.length > MEMO_LIMIT) known.clear();
  items.forEach((it, i) => known.set(memoKey(it), reads[i]));
}

/**
 * The reads (token NLLs, and with `continuation` the continuation mass) of every response given its prompt under the engine's model: each
 * response token from the logits at the position before it. Needs a non-empty prompt (at least a BOS token), since
 * the first response token needs a context; an empty response is an error. Items are batched by length (less
 * padding); results are in the order given and do not depend on the batching beyond float rounding. Texts read
 * before on this engine come from the memo above (read-only, shared between callers).
 */
export async function responseReads(engine: Engine, items: readonly ScoredText[], opts: { batchSize?: number; label?: string; continuation?: boolean } = {}): Promise<ResponseRead[]> {
  const V = engine.model.spec.vocabSize;
  items.forEach((it, i) => {
    if (it.promptIds.length === 0) throw new Error(`perplexity: item ${i} has an empty prompt (prepend at least BOS)`);
    if (it.responseIds.length === 0) throw new Error(`perplexity: item ${i} has an empty response`);
  });
  const known = memoOf(engine), continuation = opts.continuation ?? false;
  const usable = (k: string): boolean => { const r = known.get(k); return r !== undefined && (!continuation || r.continuation !== undefined); };
  const keys = items.map(memoKey);
  const first = new Map<string, number>();
  keys.forEach((k, i) => { if (!usable(k) && !first.has(k)) first.set(k, i); });
  const todo = [...first.values()].map((i) => items[i]);
  const seqs = todo.map((it) => [...it.promptIds, ...it.responseIds]);
  const read = new Map<string, ResponseRead>();
  if (todo.length > 0) await forwardByLength(engine, seqs, { batchSize: opts.batchSize ?? logitsBatchSize(seqs, V), label: opts.label ?? "perplexity", logits: "targets" }, (res, b, i) => {
    read.set(memoKey(todo[i]), readResponse(engine, res, b, todo[i], continuation));
  });
  const out = keys.map((k) => read.get(k) ?? known.get(k)!);
  rememberReads(engine, todo, todo.map((it) => read.get(memoKey(it))!));
  return out;
}

/** Negative log-likelihood (nats) of every response token given its prompt: responseReads' token NLLs. [responseIds.length] each */
export async function responseTokenNll(engine: Engine, items: readonly ScoredText[], opts: { batchSize?: number; label?: string } = {}): Promise<Float64Array[]> {
  return (await responseReads(engine, items, opts)).map((r) => r.nll);
}

/** Mean negative log-likelihood (nats per token) of each response given its prompt (responseTokenNll averaged). */
export async function responseNll(engine: Engine, items: readonly ScoredText[], opts: { batchSize?: number } = {}): Promise<number[]> {
  return (await responseTokenNll(engine, items, opts)).map((t) => t.reduce((s, x) => s + x, 0) / t.length);
}

/**
 * Coherence from perplexity: c = 1 / (1 + max(0, ln(ppl / pplRef))), in (0, 1].
 * pplRef is the reference model's perplexity on reference (compliant, human-quality) responses. A response at
 * least as predictable as the reference text scores 1; each factor of e above it lowers the score along
 * 1/2, 1/3, ... — monotone decreasing in ppl, parameter-free, and never exactly 0, so one garbled response
 * cannot zero a harmonic mean by itself.
 * Caveat (why the LLM-judge route exists too): degenerate repetition loops are *more* predictable than normal
 * text, so they score as coherent here; the repetition rate and distinct-n catch them on the diversity axis.
 */
export function coherenceFromPerplexity(ppl: number, pplRef: number): number {
  if (!(ppl > 0) || !(pplRef > 0)) throw new Error(`coherence: perplexities must be positive, got ppl=${ppl}, pplRef=${pplRef}`);
  return 1 / (1 + Math.max(0, Math.log(ppl / pplRef)));
}

/** Perplexity of a set pooled over tokens: exp(Σ token NLL / Σ tokens) (the reference for calibration). */
export async function pooledPerplexity(engine: Engine, items: readonly ScoredText[], opts: { batchSize?: number } = {}): Promise<number> {
  const nll = await responseNll(engine, items, opts);
  let sum = 0, tokens = 0;
  nll.forEach((x, i) => { sum += x * items[i].responseIds.length; tokens += items[i].responseIds.length; });
  return Math.exp(sum / tokens);
}

/** Per-response perplexity-based coherence, calibrated against pplRef. */
export async function perplexityCoherence(engine: Engine, items: readonly ScoredText[], pplRef: number, opts: { batchSize?: number } = {}): Promise<number[]> {
  return (await responseNll(engine, items, opts)).map((nll) => coherenceFromPerplexity(Math.exp(nll), pplRef));
}
