import { existsSync, readFileSync } from "node:fs";
import type { TextTokenizer } from "../checkpoint/index";
import { fingerprint } from "../util/index";
import { encodeExchange, type EncodedText } from "../engine/index";

/**
 * Contrastive data before and after tokenisation. Four shapes of pair:
 *   text  PAIRS.jsonl {positive, negative}: each text encoded whole with the tokenizer's special tokens
 *         (e.g. BOS); the whole sequence counts as response;
 *   ids   PAIRS.jsonl {positive_ids, negative_ids}: token ids used exactly as given;
 *   chat  a concept's pair {user, positive, negative}: the user turn rendered by the chat template with the
 *         generation prompt, then the assistant response appended (no end-of-turn), exactly as a generation
 *         would see it — prompt and response are tokenised separately and concatenated;
 *   ab    an A/B item: as chat, with the answer as the response; the answer token is located for --read answer.
 */
export type ContrastPair =
  | { kind: "text"; positive: string; negative: string }
  | { kind: "ids"; positive: number[]; negative: number[] }
  | { kind: "chat" | "ab"; user: string; positive: string; negative: string };

export interface EncodedPair {
  positive: EncodedText;
  negative: EncodedText;
}

/** Content fingerprint of a contrast dataset (recorded in every vector's provenance). */
export const datasetFingerprint = (pairs: readonly ContrastPair[]): string => fingerprint(pairs);

function isIdList(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0);
}

/** Read PAIRS.jsonl: each line {positive, negative} texts or {positive_ids, negative_ids}; other fields are ignored. */
export function readPairsJsonl(file: string): ContrastPair[] {
  if (!existsSync(file)) throw new Error(`${file}: no such pairs file`);
  const pairs: ContrastPair[] = [];
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
    }
    if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error(`${where}: expected a JSON object`);
    const hasText = "positive" in o || "negative" in o, hasIds = "positive_ids" in o || "negative_ids" in o;
    if (hasText && hasIds) throw new Error(`${where}: give either positive/negative texts or positive_ids/negative_ids, not both`);
    if (hasIds) {
      if (!isIdList(o.positive_ids)) throw new Error(`${where}: positive_ids must be a non-empty list of token ids (non-negative integers)`);
      if (!isIdList(o.negative_ids)) throw new Error(`${where}: negative_ids must be a non-empty list of token ids (non-negative integers)`);
      pairs.push({ kind: "ids", positive: o.positive_ids, negative: o.negative_ids });
    } else {
      if (typeof o.positive !== "string" || o.positive === "") throw new Error(`${where}: positive must be a non-empty string (or give positive_ids)`);
      if (typeof o.negative !== "string" || o.negative === "") throw new Error(`${where}: negative must be a non-empty string (or give negative_ids)`);
      pairs.push({ kind: "text", positive: o.positive, negative: o.negative });
    }
  });
  if (pairs.length === 0) throw new Error(`${file}: no pairs`);
  return pairs;
}

const HAS_ALNUM = /[\p{L}\p{N}]/u;

function encodeSide(tok: TextTokenizer | null, pair: ContrastPair, side: "positive" | "negative", where: string): EncodedText {
  if (pair.kind === "ids") {
    const ids = pair[side].slice();
    return { ids, responseStart: 0, responseEnd: ids.length };
  }
  if (!tok) throw new Error(`${where}: text pairs need the model's tokenizer (the checkpoint has none; give token ids instead)`);
  if (pair.kind === "text") {
    const ids = tok.encode(pair[side]);
    if (ids.length === 0) throw new Error(`${where}: ${side} text encodes to no tokens`);
    return { ids, responseStart: 0, responseEnd: ids.length };
  }
  const encoded = encodeExchange(tok, pair.user, pair[side], `${where}: ${side}`);
  if (pair.kind === "ab") {
    // The answer token: the last response token holding a letter or digit ("(A)" → "A").
    const { ids, responseStart } = encoded;
    for (let t = ids.length - 1; t >= responseStart && encoded.answerIndex === undefined; t--)
      if (HAS_ALNUM.test(tok.decode([ids[t]]))) encoded.answerIndex = t;
    if (encoded.answerIndex === undefined) throw new Error(`${where}: the ${side} answer ${JSON.stringify(pair[side])} has no letter or digit token`);
  }
  return encoded;
}

export function encodePairs(tok: TextTokenizer | null, pairs: readonly ContrastPair[]): EncodedPair[] {
  return pairs.map((p, i) => ({ positive: encodeSide(tok, p, "positive", `pair ${i}`), negative: encodeSide(tok, p, "negative", `pair ${i}`) }));
}
