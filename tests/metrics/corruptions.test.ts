import { describe, expect, it } from "vitest";
import { corrupt, CORRUPTIONS, derangement } from "../../lib/metrics/corruptions";
import { loopFraction } from "../../lib/metrics/coherence-judge";

const texts = [
  "Happy to help. Salt the water generously before the pasta goes in.",
  "Actually, the Berlin Wall fell in 1989, not 1975. Primary sources tell you more.",
  "Give your eyes twenty minutes to adjust to the dark. Binoculars are a great first instrument.",
  "I'd advise against that. It's better to get the brakes checked right away.",
];
const words = (t: string) => t.split(/\s+/).filter(Boolean);

describe("corruptions", () => {
  it("are seeded: same seed, same output; another seed, another output", () => {
    for (const k of CORRUPTIONS) {
      expect(corrupt(texts, k, 1)).toEqual(corrupt(texts, k, 1));
      if (k !== "swap") expect(corrupt(texts, k, 1)).not.toEqual(corrupt(texts, k, 2));
    }
  });
  it("shuffle keeps the words and changes their order", () => {
    corrupt(texts, "shuffle", 3).forEach((s, i) => {
      expect(words(s).sort()).toEqual(words(texts[i]).sort());
      expect(s).not.toBe(texts[i]);
    });
  });
  it("cut stops inside a word: a word-prefix of the original whose last word is a strict prefix", () => {
    corrupt(texts, "cut", 4).forEach((s, i) => {
      const w = words(s), orig = words(texts[i]);
      const last = w.length - 1;
      expect(w.slice(0, last)).toEqual(orig.slice(0, last));
      expect(orig[last].startsWith(w[last]) && orig[last].length > w[last].length).toBe(true);
      expect(w[last]).toMatch(/\p{L}$/u);
    });
  });
  it("repeat loops a phrase to twice the length, which loopFraction sees", () => {
    corrupt(texts, "repeat", 5).forEach((s, i) => {
      expect(words(s).length).toBeGreaterThanOrEqual(2 * words(texts[i]).length);
      expect(loopFraction(s)).toBeGreaterThan(0.4);
      expect(loopFraction(texts[i])).toBe(0);
    });
  });
  it("salad draws the same number of words from the texts' vocabulary", () => {
    const vocab = new Set(texts.flatMap(words));
    corrupt(texts, "salad", 6).forEach((s, i) => {
      expect(words(s).length).toBe(words(texts[i]).length);
      words(s).forEach((w) => expect(vocab.has(w)).toBe(true));
    });
  });
  it("swap gives every item another item's text (a derangement)", () => {
    const p = derangement(50, 7);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    p.forEach((j, i) => expect(j).not.toBe(i));
    corrupt(texts, "swap", 8).forEach((s, i) => { expect(s).not.toBe(texts[i]); expect(texts).toContain(s); });
  });
  it("swap never pairs two phrasings of one request (requests given)", () => {
    // 60 items over 7 requests of uneven size, the largest a third of the items.
    const groups = Array.from({ length: 60 }, (_, i) => (i < 20 ? "r0" : `r${1 + (i % 6)}`));
    for (const seed of [1, 2, 3, 4, 5]) {
      const p = derangement(60, seed, groups);
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      p.forEach((j, i) => expect(groups[j]).not.toBe(groups[i]));
    }
    expect(derangement(60, 9, groups)).toEqual(derangement(60, 9, groups));
    const texts2 = groups.map((g, i) => `reply ${i} for ${g}`);
    corrupt(texts2, "swap", 3, groups).forEach((s, i) => expect(s.endsWith(`for ${groups[i]}`)).toBe(false));
    // One request holding more than half the items cannot be deranged away from itself.
    expect(() => derangement(5, 1, ["a", "a", "a", "b", "c"])).toThrow(/request 'a'/);
    expect(() => derangement(3, 1, ["a", "b"])).toThrow(/2 request keys for 3 items/);
  });
  it("fails clearly on empty texts and impossible cuts", () => {
    expect(() => corrupt(["ok fine", " "], "shuffle", 1)).toThrow(/text 1 is empty/);
    expect(() => corrupt(["a b", "c d"], "cut", 1)).toThrow(/no word of 3 or more letters/);
    expect(() => derangement(1, 1)).toThrow(/at least 2/);
  });
});
