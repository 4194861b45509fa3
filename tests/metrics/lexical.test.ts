import { describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { tokenize } from "../../lib/metrics/tokenize";
import { Vocabulary } from "../../lib/metrics/ngrams";
import { corpusDistinctN, distinctN, ngramEntropy, repetitionRate } from "../../lib/metrics/distinct";
import { compressionRatio, setCompressionRatio } from "../../lib/metrics/compression";
import { encodeTexts, sampleDiversity, setDiversity } from "../../lib/metrics/diversity";

const ids = (text: string): number[] => new Vocabulary().encode(tokenize(text));

describe("tokenize", () => {
  it("lower-cases and splits letters/digits/apostrophes from single other characters", () => {
    expect(tokenize("Don't STOP!! Café 42€ x-y")).toEqual(["don't", "stop", "!", "!", "café", "42", "€", "x", "-", "y"]);
    expect(tokenize("  \n\t ")).toEqual([]);
    expect(tokenize("Ωμέγα 日本")).toEqual(["ωμέγα", "日本"]);
  });
});

describe("distinct-n (hand-computed)", () => {
  // "a b a b a": unigrams a,b,a,b,a → 2 unique / 5; bigrams ab,ba,ab,ba → 2/4; trigrams aba,bab,aba → 2/3; 4-grams abab,baba → 2/2.
  it("counts unique over n-grams of the response", () => {
    const x = ids("a b a b a");
    expect([1, 2, 3, 4].map((n) => distinctN(x, n))).toEqual([2 / 5, 2 / 4, 2 / 3, 1]);
  });
  it("is 0 without n-grams (empty, one token)", () => {
    expect(distinctN([], 1)).toBe(0);
    const one = ids("word");
    expect([1, 2, 3, 4].map((n) => distinctN(one, n))).toEqual([1, 0, 0, 0]);
  });
  it("corpus distinct never forms n-grams across responses", () => {
    // ["a b", "b a"]: bigrams ab, ba (2 unique / 2); joined "a b b a" would add "b b".
    const seqs = encodeTexts(["a b", "b a"]);
    expect(corpusDistinctN(seqs, 2)).toBe(1);
    expect(corpusDistinctN(seqs, 1)).toBe(2 / 4);
    expect(corpusDistinctN(seqs, 3)).toBe(0);
    expect(corpusDistinctN(encodeTexts(["x y z", "x y z"]), 3)).toBe(1 / 2);
  });
});

describe("repetition rate and entropy (hand-computed)", () => {
  it("counts tokens seen within the window before them", () => {
    // a b a b c: positions 2 (a) and 3 (b) repeat → 2/5.
    expect(repetitionRate(ids("a b a b c"))).toBeCloseTo(2 / 5, 15);
    // window 1: only immediate repeats: "a a b a" → position 1 only → 1/4.
    expect(repetitionRate(ids("a a b a"), 1)).toBeCloseTo(1 / 4, 15);
    expect(repetitionRate([])).toBe(0);
    expect(repetitionRate(ids("one"))).toBe(0);
    expect(() => repetitionRate([1], 0)).toThrow(/window/);
  });
  it("entropy in nats of the n-gram distribution", () => {
    // a a b b: unigram p = (1/2, 1/2) → ln 2; bigrams aa, ab, bb → ln 3.
    const x = ids("a a b b");
    expect(ngramEntropy(x, 1)).toBeCloseTo(Math.log(2), 14);
    expect(ngramEntropy(x, 2)).toBeCloseTo(Math.log(3), 14);
    expect(ngramEntropy(x, 4)).toBe(0);
    expect(ngramEntropy([], 1)).toBe(0);
  });
});

describe("gzip compression ratio", () => {
  it("is UTF-8 bytes over gzip size (header 10 + trailer 8 bytes included)", () => {
    expect(compressionRatio("")).toBe(0);
    // One byte: a fixed-Huffman deflate block of 3 bytes + 18 → 1/21 (Python gzip.compress(b"a", 9) gives the same).
    expect(compressionRatio("a")).toBeCloseTo(1 / 21, 12);
    const t = "héllo wörld";
    expect(compressionRatio(t)).toBe(Buffer.byteLength(t) / gzipSync(Buffer.from(t), { level: 9 }).length);
  });
  it("compresses to within 4 bytes of CPython's gzip.compress(level 9)", () => {
    // Sizes from Python 3.11: len(gzip.compress(b, 9)) = 44 for the first text, 79 for the joined set. Node's
    // bundled zlib (Chromium's fork) picks slightly different matches, so sizes differ by a few bytes.
    const gz = (text: string): number => Buffer.byteLength(text) / compressionRatio(text);
    expect(Math.abs(gz("the cat sat on the mat. ".repeat(10)) - 44)).toBeLessThanOrEqual(4);
    const sents = ["the cat sat on the mat .", "the cat is on the mat .", "a dog ran in the park !", "the dog sat on the mat", "hello"];
    expect(Math.abs(Buffer.byteLength(sents.join("\n")) / setCompressionRatio(sents) - 79)).toBeLessThanOrEqual(4);
  });
  it("rates repetitive text higher", () => {
    expect(compressionRatio("go go go go go go go go go go go go")).toBeGreaterThan(compressionRatio("the quick brown fox jumps over a lazy dog"));
  });
});

describe("sample and set records", () => {
  it("carry every contract field as numbers", () => {
    const s = sampleDiversity("A b a b a");
    expect(s).toMatchObject({ tokens: 5, distinct_1: 2 / 5, distinct_2: 1 / 2, distinct_3: 2 / 3, distinct_4: 1 });
    const set = setDiversity(["a b", "b a", "c"]);
    for (const k of ["distinct_1", "distinct_2", "distinct_3", "distinct_4", "self_bleu", "compression_ratio", "vendi_ngram"] as const)
      expect(typeof set[k]).toBe("number");
    expect(() => setDiversity(["only one"])).toThrow(/at least 2/);
  });
});
