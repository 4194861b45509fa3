import { progress } from "../util/index";

/**
 * A byte-level BPE trainer producing a Hugging Face tokenizer.json (GPT-2 layout: ByteLevel pre-tokenizer,
 * BPE model with merges, ByteLevel decoder, special tokens as added tokens). Every byte is in the base
 * alphabet, so any text encodes and decodes back exactly.
 *
 * Training counts pre-tokenized words once, then merges over word *types* while keeping pair counts up to
 * date incrementally (only words containing the merged pair are revisited), with a lazy max-heap to find the
 * most frequent pair. Ties go to the pair of lower token ids (deterministic; Hugging Face's trainer breaks
 * ties lexicographically, so vocabularies can differ from its output in tie order).
 */

/** The pre-tokenization regex of GPT-2, exactly what @huggingface/tokenizers' ByteLevel pre-tokenizer applies. */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte → printable character table (bytes that are printable map to themselves). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable.includes(b) ? b : 256 + extra++);
  return table;
})();

export interface BpeOptions {
  /** Total vocabulary size including the 256 byte tokens and the special tokens. */
  vocabSize: number;
  /** Added as special tokens with ids 0..n-1, in this order. */
  specialTokens: string[];
  /**
   * When the texts run out of pairs before vocabSize: throw (true, the default) or return the smaller
   * vocabulary (false; a model may then have more embedding rows than the tokenizer uses).
   */
  exact?: boolean;
}

export type TokenizerJson = Record<string, unknown>;

/** Word type → count, after GPT-2 pre-tokenization. */
function countWords(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts)
    for (const m of text.matchAll(GPT2_SPLIT)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  return counts;
}

const encoder = new TextEncoder();
// Pair keys pack two token ids (< 2^21 each) into one exact float64 integer.
const SHIFT = 2 ** 21;
const pairKey = (a: number, b: number): number => a * SHIFT + b;

/** Max-heap of (count, key) with stale entries skipped on pop. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  private above(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    for (let i = this.counts.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { count: number; key: number } | null {
    const n = this.counts.length;
    if (n === 0) return null;
    const top = { count: this.counts[0], key: this.keys[0] };
    this.swap(0, n - 1);
    this.counts.pop();
    this.keys.pop();
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let best = i;
      if (l < n - 1 && this.above(l, best)) best = l;
      if (r < n - 1 && this.above(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top;
  }
}

/** Train a byte-level BPE tokenizer with vocabSize tokens (see BpeOptions.exact when the texts are too small). */
export function trainBpe(texts: readonly string[], opts: BpeOptions): TokenizerJson {
  const { vocabSize, specialTokens } = opts;
  const base = specialTokens.length + 256;
  if (new Set(specialTokens).size !== specialTokens.length) throw new Error(`trainBpe: special tokens must be distinct`);
  if (!Number.isInteger(vocabSize) || vocabSize < base)
    throw new Error(`trainBpe: vocabSize must be an integer ≥ ${base} (256 bytes + ${specialTokens.length} special tokens), got ${vocabSize}`);

  const tokens: string[] = [...specialTokens, ...BYTE_TO_CHAR];
  const idOf = new Map<string, number>(tokens.map((t, i) => [t, i]));
  const byteId = (b: number) => specialTokens.length + b;

  const wordCounts = countWords(texts);
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of wordCounts) {
    words.push(Array.from(encoder.encode(w), byteId));
    freq.push(c);
  }

  const pairCount = new Map<number, number>();
  // Words that contained a pair at some point (a superset: entries are not removed when a pair disappears).
  const pairWords = new Map<number, number[]>();
  const addPairs = (w: number, sign: 1 | -1, changed: Set<number>) => {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i], s[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * freq[w]);
      changed.add(k);
      if (sign > 0) {
        const list = pairWords.get(k);
        if (!list) pairWords.set(k, [w]);
        else if (list[list.length - 1] !== w) list.push(w);
      }
    }
  };
  const heap = new PairHeap();
  const initial = new Set<number>();
  for (let w = 0; w < words.length; w++) addPairs(w, 1, initial);
  for (const k of initial) heap.push(pairCount.get(k)!, k);

  const merges: string[] = [];
  const bar = progress("training BPE", vocabSize - tokens.length);
  while (tokens.length < vocabSize) {
    const top = heap.pop();
    if (top === null) {
      bar.done();
      if (opts.exact === false) break;
      throw new Error(`trainBpe: the texts (${wordCounts.size} distinct words) support only ${tokens.length} tokens; vocabSize ${vocabSize} needs more text`);
    }
    if (top.count <= 0 || pairCount.get(top.key) !== top.count) continue;
    const a = Math.floor(top.key / SHIFT), b = top.key % SHIFT;
    const merged = tokens[a] + tokens[b];
    let id = idOf.get(merged);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      idOf.set(merged, id);
      bar.tick();
    }
    merges.push(`${tokens[a]} ${tokens[b]}`);
    const changed = new Set<number>();
    for (const w of pairWords.get(top.key)!) {
      const s = words[w];
      let has = false;
      for (let i = 0; i + 1 < s.length && !has; i++) has = s[i] === a && s[i + 1] === b;
      if (!has) continue;
      addPairs(w, -1, changed);
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) { out.push(id); i++; }
        else out.push(s[i]);
      }
      words[w] = out;
      addPairs(w, 1, changed);
    }
    for (const k of changed) {
      const c = pairCount.get(k)!;
      if (c > 0) heap.push(c, k);
      else pairCount.delete(k);
    }
  }
  bar.done();
  return tokenizerJson(tokens, merges, specialTokens);
}

/** Assemble tokenizer.json in the layout the Hugging Face libraries write for GPT-2-style byte-level BPE. */
function tokenizerJson(tokens: readonly string[], merges: readonly string[], specialTokens: readonly string[]): TokenizerJson {
  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", ...byteLevel },
    post_processor: { type: "ByteLevel", ...byteLevel, trim_offsets: false },
    decoder: { type: "ByteLevel", ...byteLevel },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(tokens.map((t, i) => [t, i])),
      merges,
    },
  };
}
