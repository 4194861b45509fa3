import { describe, expect, it } from "vitest";
import { Vocabulary } from "../../lib/metrics/ngrams";
import { tokenize } from "../../lib/metrics/tokenize";
import { diversityAxis } from "../../lib/metrics/aggregate";
import { closestRefLength, selfBleu, sentenceBleu } from "../../lib/metrics/bleu";
import { setDiversity } from "../../lib/metrics/diversity";
import { createRng } from "../../lib/util/rng";

// Reference values from NLTK 3.10.3: sentence_bleu([ref.split() ...], hyp.split(),
// smoothing_function=SmoothingFunction().method1) (default weights (0.25,)*4), run once and pasted here.
const NLTK_CASES: [string[], string, number][] = [
  [["the cat sat on the mat .", "a cat was sitting on the mat ."], "the cat is on the mat .", 0.488923022434901],
  [["it is a guide to action which ensures that the military always obeys the commands of the party"],
    "it is a guide to action that ensures that the military will forever heed party commands", 0.4229247984636106],
  [["one two three four five", "one two"], "one two three", 0.5623413251903491],
  [["alpha beta"], "gamma delta", 0],
  [["a b c d e f", "a b c"], "a b c d", 1.0],
];

function encode(refs: string[], hyp: string) {
  const v = new Vocabulary();
  return { refs: refs.map((r) => v.encode(tokenize(r))), hyp: v.encode(tokenize(hyp)) };
}

describe("sentence BLEU-4, method1", () => {
  it("matches NLTK on fixed examples (1e-12)", () => {
    for (const [refs, hyp, expected] of NLTK_CASES) {
      const e = encode(refs, hyp);
      expect(sentenceBleu(e.refs, e.hyp)).toBeCloseTo(expected, 12);
    }
  });
  it("hand case: all precisions 1, brevity penalty exp(1 − 6/4)", () => {
    const e = encode(["a b c d e f"], "a b c d");
    expect(sentenceBleu(e.refs, e.hyp)).toBeCloseTo(Math.exp(-0.5), 14);
  });
  it("hand case: a 3-token hypothesis gets ε = 0.1 for its empty 4-gram precision", () => {
    // p1 = 2/3 ("three" unmatched), p2 = 1/2, p3 = 0/1 → ε/1, p4 = 0/max(1, 0) → ε/1; ref length 2 < 3 → BP = 1.
    const e = encode(["one two"], "one two three");
    expect(sentenceBleu(e.refs, e.hyp)).toBeCloseTo(Math.pow((2 / 3) * (1 / 2) * 0.1 * 0.1, 0.25), 14);
  });
  it("is 0 for an empty hypothesis and clips counts by the best reference", () => {
    const e = encode(["the the"], "");
    expect(sentenceBleu(e.refs, e.hyp)).toBe(0);
    // "the the the" vs "the": p1 = 1/3 (clipped), higher orders 0 → ε; BP = 1 (3 > 1).
    const f = encode(["the"], "the the the");
    expect(sentenceBleu(f.refs, f.hyp)).toBeCloseTo(Math.pow((1 / 3) * (0.1 / 2) * 0.1 * 0.1, 0.25), 14);
  });
  it("closest reference length prefers the shorter on ties", () => {
    expect(closestRefLength([3, 5], 4)).toBe(3);
    expect(closestRefLength([5, 3], 4)).toBe(3);
    expect(closestRefLength([7], 4)).toBe(7);
  });
});

describe("Self-BLEU", () => {
  // NLTK's definition, except that an empty response duplicated by another empty one is an exact copy (1).
  const naive = (seqs: number[][]): number =>
    seqs.reduce((s, h, i) => {
      const others = seqs.filter((_, j) => j !== i);
      return s + (h.length === 0 && others.some((o) => o.length === 0) ? 1 : sentenceBleu(others, h));
    }, 0) / seqs.length;

  it("matches NLTK's mean of sentence_bleu(others, each) (1e-12)", () => {
    const v = new Vocabulary();
    const seqs = ["the cat sat on the mat .", "the cat is on the mat .", "a dog ran in the park !", "the dog sat on the mat", "hello"].map((s) => v.encode(tokenize(s)));
    // NLTK 3.10.3, per hypothesis: [0.7071067811865476, 0.488923022434901, 0.039281465090051315, 0.4760116549244004, 0]
    expect(selfBleu(seqs)).toBeCloseTo(0.34226458472718, 12);
  });
  it("equals the naive quadratic definition on random sets with repeats and duplicates", () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 5; trial++) {
      const seqs = Array.from({ length: 12 }, () => Array.from({ length: rng.int(9) }, () => rng.int(4)));
      seqs.push(seqs[0].slice(), seqs[1].slice());
      expect(selfBleu(seqs)).toBeCloseTo(naive(seqs), 12);
    }
  });
  it("is 1 for identical responses and needs two of them", () => {
    const x = [1, 2, 3, 4, 5];
    expect(selfBleu([x, x, x])).toBeCloseTo(1, 14);
    expect(() => selfBleu([x])).toThrow(/at least 2/);
  });
  it("counts empty responses that duplicate each other as copies, so an all-empty set is not diverse", () => {
    expect(selfBleu([[], [], []])).toBe(1);
    expect(selfBleu([[], [1, 2, 3, 4], [5, 6, 7, 8]])).toBe(0); // a lone empty response: NLTK's 0
    expect(diversityAxis(setDiversity(["", "", ""]), { metric: "self-bleu" })).toBe(0);
  });
});
