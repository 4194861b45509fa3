import { type Engine, encodeExchange, encodePrompts, forwardByLength, readPositions, readRows, truncateExchange } from "../../engine/index";
import { logitsBatchSize, readResponse, rememberReads, responseTokenNll, type ResponseRead } from "../coherence";
import { tokenize } from "../tokenize";
import { fnv1a } from "./hashed-features";
import type { JudgeItem } from "./types";

/**
 * Features of a whole exchange (user turn + response) for the exchange success judge, five blocks:
 *   mean    the reference model's resid_post averaged over the response tokens, with the user turn in context
 *           (chat template): the response as read in the light of what the user said; at each of JUDGE_DEPTHS
 *           (a third and two thirds of the way up, and the top), each row unit length      [JUDGE_DEPTHS × hidden]
 *           (the top layer alone: refusal / llama-tiny detector_test AUROC 0.970, with the two lower depths 0.983;
 *           subtle deflections and careful help differ where the tiny models' middle layers read them)
 *   last    the top layer's resid_post at the response's last token; unit length                       [hidden]
 *   lexical hashed word uni/bi/trigrams of the response in which every word (≥ 3 letters) that also occurs in the
 *           user turn is replaced by "<u>" ("you're right, <u> <u> <u>" vs "actually, <u> <u> 1989": the
 *           user × response interaction, independent of the entity), plus the position of the first copied word
 *           (where the response starts repeating the user), plus the response's specifics (specificTerms:
 *           names and numbers the user did or did not give); unit length                            [LEXICAL_DIM]
 *   claim   the model's belief in what the response says, from per-token NLLs of the response: over the tokens
 *           of copied words and over the other tokens, the mean NLL given the user turn (ℓ), given an empty
 *           user turn (ℓ₀), their difference ℓ₀ − ℓ, and the copied share of tokens. A response that repeats a
 *           false claim the model has only seen corrected is less likely than one repeating a true claim, so
 *           this block carries world knowledge that the delexicalised words cannot (sycophancy's "agrees with a
 *           TRUE claim" hard negatives read like its violations otherwise). Scaled by CLAIM_SCALE. [CLAIM_FEATURES]
 *   instructed  how much likelier the response's opening becomes when a system prompt asks for the violation:
 *           per-token ℓ given the user turn minus ℓ given the instruction + the user turn, averaged over the first
 *           INSTRUCTED_HEAD response tokens (where the response takes its stance; the topic sentences after it are
 *           shared by both classes, and reading only the opening halves the pass) and over the instructions (the
 *           concept's judge_instructions.jsonl, its first JUDGE_INSTRUCTIONS). The model read violations under
 *           such instructions in its training, in every template of the world, so this block carries what the
 *           words of judge_train's few templates cannot (sycophancy's "Indeed, you're correct" without the claim
 *           restated; measured: detector_test AUROC 0.906 → 0.998 on llama-tiny). 0 without instructions.
 *           Scaled by INSTRUCTED_SCALE.                                                       [INSTRUCTED_FEATURES]
 * The judge weighs the lexical block against the model blocks (exchange-judge.ts: chosen by cross-fitting).
 */
export const LEXICAL_DIM = 1 << 11;
export const CLAIM_FEATURES = 7;
/** Keeps the claim block (nats, O(1) each) about as large as one unit block: the fit standardises with one global scale. */
export const CLAIM_SCALE = 0.3;
export const COPIED = "<u>";
export const INSTRUCTED_FEATURES = 1;
/**
 * Instructions the judge reads per response: each costs one more (short) forward pass of every judged text. One:
 * sycophancy, the concept that needs the block, scored detector_test AUROC 0.998 (llama-tiny) / 1.000 (qwen2-tiny)
 * with two and 0.997 / 1.000 with one (scripts/dev/judge-families.ts, 2026-12-04), for half the passes.
 */
export const JUDGE_INSTRUCTIONS = 1;
/** Response tokens the instructed block reads: the opening, where the response takes its stance. */
export const INSTRUCTED_HEAD = 12;
/**
 * The block carries most of the judgement but is 1 column beside ~2,500: scaled up so the L2 fit
 * (one global standardisation) can weigh them (sycophancy / llama-tiny, detector_test AUROC 0.929 at 0.3, 0.998 at 3).
 */
export const INSTRUCTED_SCALE = 3;
/** Positions of the first copied word beyond this share one bucket. */
const FIRST_COPY_CAP = 8;

/** Response tokens with the words copied from the user turn replaced by COPIED. */
export function delexicalise(user: string | undefined, response: string): string[] {
  const said = new Set(tokenize(user ?? ""));
  return tokenize(response).map((w) => (w.length >= 3 && said.has(w) ? COPIED : w));
}

/**
 * The specifics of a response — words with a digit, and capitalised words that do not open a sentence (names,
 * places) other than "I" forms — as "novel:number", "novel:name" when the user turn does not contain them and
 * "copied:…" when it does. A reply that brings dates and names the user never gave makes claims of its own;
 * one that repeats the user's makes none (hallucination's hedged inventions vs its unconfirmed claims).
 */
export function specificTerms(user: string | undefined, response: string): string[] {
  const said = new Set(tokenize(user ?? ""));
  const terms: string[] = [];
  for (const m of response.matchAll(/[\p{L}\p{N}']+/gu)) {
    const w = m[0], before = response.slice(0, m.index!).trimEnd();
    const kind = /\p{N}/u.test(w) ? "number" : /^\p{Lu}/u.test(w) && before.length > 0 && !/[.!?:]$/.test(before) && !/^I('|$)/.test(w) ? "name" : null;
    if (kind) terms.push(`${said.has(w.toLowerCase()) ? "copied" : "novel"}:${kind}`);
  }
  return terms;
}

/**
 * The hashed terms of the lexical block: delexicalised uni-, bi- and trigrams, "first:<position of the first
 * copied word | -1>" and the specifics (specificTerms).
 */
export function lexicalTerms(user: string | undefined, response: string): string[] {
  const t = delexicalise(user, response);
  const terms: string[] = [];
  t.forEach((w, k) => {
    terms.push(w);
    if (k > 0) terms.push(`${t[k - 1]} ${w}`);
    if (k > 1) terms.push(`${t[k - 2]} ${t[k - 1]} ${w}`);
  });
  const first = t.indexOf(COPIED);
  terms.push(`first:${first < 0 ? -1 : Math.min(first, FIRST_COPY_CAP)}`);
  terms.push(...specificTerms(user, response));
  return terms;
}

function unitInto(dst: Float32Array, offset: number, src: ArrayLike<number>): void {
  let ss = 0;
  for (let i = 0; i < src.length; i++) ss += src[i] * src[i];
  const k = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let i = 0; i < src.length; i++) dst[offset + i] = src[i] * k;
}

function lexicalInto(dst: Float32Array, offset: number, item: JudgeItem): void {
  const row = new Float32Array(LEXICAL_DIM);
  for (const term of lexicalTerms(item.user, item.response)) row[fnv1a(term) % LEXICAL_DIM] += 1;
  for (let k = 0; k < LEXICAL_DIM; k++) if (row[k] > 0) row[k] = Math.log1p(row[k]);
  unitInto(dst, offset, row);
}

/**
 * Per model token of a response (given as the decoded text of each token), whether it overlaps a word of ≥ 3
 * characters that the user also said (the words of lib/metrics/tokenize, compared lower-cased). [tokens]
 */
export function copiedTokens(user: string, pieces: readonly string[]): boolean[] {
  const said = new Set(tokenize(user));
  const text = pieces.join("");
  const copied = new Uint8Array(text.length);
  for (const m of text.matchAll(/[\p{L}\p{N}']+/gu)) {
    if (m[0].length >= 3 && said.has(m[0].toLowerCase())) copied.fill(1, m.index!, m.index! + m[0].length);
  }
  let at = 0;
  return pieces.map((p) => { const hit = copied.subarray(at, at + p.length).includes(1); at += p.length; return hit; });
}

/**
 * The claim block (unscaled) from per-token NLLs given the user turn (nll) and given an empty one (nll0):
 * [ℓ copied, ℓ₀ copied, ℓ₀ − ℓ copied, ℓ other, ℓ₀ other, ℓ₀ − ℓ other, copied share]; a mean over no tokens is 0.
 * Tokens past the shorter of the two NLL lists (truncation) are left out.
 */
export function claimStatistics(copied: readonly boolean[], nll: ArrayLike<number>, nll0: ArrayLike<number>): number[] {
  const n = Math.min(copied.length, nll.length, nll0.length);
  const sum = [0, 0, 0, 0], count = [0, 0];
  for (let i = 0; i < n; i++) {
    const g = copied[i] ? 0 : 1;
    sum[2 * g] += nll[i]; sum[2 * g + 1] += nll0[i]; count[g]++;
  }
  const m = (s: number, c: number) => (c ? s / c : 0);
  const [lc, l0c, lo, l0o] = [m(sum[0], count[0]), m(sum[1], count[0]), m(sum[2], count[1]), m(sum[3], count[1])];
  return [lc, l0c, l0c - lc, lo, l0o, l0o - lo, n ? count[0] / n : 0];
}

/**
 * The instructed block (unscaled) from per-token NLLs given the user turn (nll) and given each instruction + the
 * user turn (nllInstructed[k], read for the first `head` response tokens): the mean of ℓ − ℓ_k over the first
 * `head` tokens, averaged over the instructions with tokens; tokens past the shorter list left out; 0 when none.
 */
export function instructedStatistic(nll: ArrayLike<number>, nllInstructed: readonly ArrayLike<number>[], head = INSTRUCTED_HEAD): number {
  const read = nllInstructed.filter((li) => Math.min(nll.length, li.length, head) > 0);
  let out = 0;
  for (const li of read) {
    const h = Math.min(nll.length, li.length, head);
    let d = 0;
    for (let i = 0; i < h; i++) d += nll[i] - li[i];
    out += d / h / read.length;
  }
  return out;
}

/** Depths (fractions of the layer count) whose resid_post the mean block reads; the last one is the top layer. */
export const JUDGE_DEPTHS = [1 / 3, 2 / 3, 1] as const;
/** The layers of JUDGE_DEPTHS in a model of `nLayers` (a depth below layer 0 reads layer 0; repeats are kept, so the width is fixed). */
export const judgeLayers = (nLayers: number): number[] => JUDGE_DEPTHS.map((d) => Math.min(nLayers - 1, Math.floor(d * nLayers)));
/** Model blocks before the lexical one: a mean per depth, then the last token at the top. */
const MODEL_BLOCKS = JUDGE_DEPTHS.length + 1;
export const exchangeFeatureWidth = (engine: Engine): number => MODEL_BLOCKS * engine.model.spec.hidden + LEXICAL_DIM + CLAIM_FEATURES + INSTRUCTED_FEATURES;
/** Where the lexical block lies in a feature row: [start, end). */
export const lexicalBlock = (engine: Engine): [number, number] => [MODEL_BLOCKS * engine.model.spec.hidden, MODEL_BLOCKS * engine.model.spec.hidden + LEXICAL_DIM];

/**
 * Feature rows [n, exchangeFeatureWidth] of the items, in order. `instructions`: system prompts asking for the
 * violation, one short pass each (the judge picks the first JUDGE_INSTRUCTIONS; none: the instructed block is 0).
 * Empty responses are an error.
 */
export async function exchangeFeatures(engine: Engine, items: readonly JudgeItem[], instructions: readonly string[] = []): Promise<Float32Array> {
  const spec = engine.model.spec, tok = engine.model.tokenizer;
  if (!tok) throw new Error(`${engine.model.dir}: the exchange judge needs the model's tokenizer`);
  const H = spec.hidden, W = exchangeFeatureWidth(engine), [lex] = lexicalBlock(engine);
  const layers = judgeLayers(spec.nLayers), top = spec.nLayers - 1, D = layers.length;
  const encoded = items.map((it, i) => truncateExchange(encodeExchange(tok, it.user ?? "", it.response, `judged item ${i}`), spec.maxPositions));
  const responses = encoded.map((e) => e.ids.slice(e.responseStart, e.responseEnd));
  // One pass over each exchange reads the judge's layers (mean; last at the top) and the response's NLL given the user turn.
  const means = new Float32Array(items.length * D * H), last = new Float32Array(items.length * H); // [n, D, H], [n, H]
  const scored = encoded.map((e, i) => ({ promptIds: e.ids.slice(0, e.responseStart), responseIds: responses[i] }));
  const reads = new Array<ResponseRead>(items.length);
  const seqs = encoded.map((e) => e.ids);
  await forwardByLength(engine, seqs, { batchSize: logitsBatchSize(seqs, spec.vocabSize), label: "judge features", capture: { sites: ["resid_post"], layers: [...new Set(layers)] }, logits: "targets" }, (res, b, i) => {
    const e = encoded[i], meanAt = readPositions(e, "mean", `judged item ${i}`);
    layers.forEach((l, d) => readRows(means, H, i * D + d, res.captures.get(`${l}.resid_post`)!, res.seqLen, res.pad[b], b, meanAt));
    readRows(last, H, i, res.captures.get(`${top}.resid_post`)!, res.seqLen, res.pad[b], b, readPositions(e, "last", `judged item ${i}`));
    reads[i] = readResponse(engine, res, b, scored[i], true);
  });
  // The coherence judge reads the same exchanges (coherence-judge.ts): it then finds them in the memo.
  rememberReads(engine, scored, reads);
  const nll = reads.map((r) => r.nll);
  const empty = encodePrompts(engine.model, [""], { chat: true })[0];
  const nll0 = await responseTokenNll(engine, responses.map((r) => ({ promptIds: empty, responseIds: r.slice(0, Math.max(1, spec.maxPositions - empty.length)) })), { label: "judge features (no prompt)" });
  const nllInstructed: Float64Array[][] = [];
  for (const system of instructions) {
    const prompts = encodePrompts(engine.model, items.map((it) => it.user ?? ""), { chat: true, system });
    // A user turn so long that the instruction leaves no room for a response token reads no instructed NLL (0).
    const fits = prompts.flatMap((p, i) => (p.length < spec.maxPositions ? [i] : []));
    const got = await responseTokenNll(engine, fits.map((i) => ({ promptIds: prompts[i], responseIds: responses[i].slice(0, Math.min(INSTRUCTED_HEAD, spec.maxPositions - prompts[i].length)) })), { label: "judge features (instructed)" });
    const per: Float64Array[] = items.map(() => new Float64Array(0));
    fits.forEach((i, k) => { per[i] = got[k]; });
    nllInstructed.push(per);
  }
  const x = new Float32Array(items.length * W); // [n, W]
  items.forEach((it, i) => {
    for (let d = 0; d < D; d++) unitInto(x, i * W + d * H, means.subarray((i * D + d) * H, (i * D + d + 1) * H));
    unitInto(x, i * W + D * H, last.subarray(i * H, (i + 1) * H));
    lexicalInto(x, i * W + lex, it);
    const copied = copiedTokens(it.user ?? "", responses[i].map((id) => tok.decode([id])));
    claimStatistics(copied, nll[i], nll0[i]).forEach((v, k) => { x[i * W + lex + LEXICAL_DIM + k] = CLAIM_SCALE * v; });
    x[i * W + lex + LEXICAL_DIM + CLAIM_FEATURES] = INSTRUCTED_SCALE * instructedStatistic(nll[i], nllInstructed.map((l) => l[i]));
  });
  return x;
}
