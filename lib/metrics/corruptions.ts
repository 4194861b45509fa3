import { createRng, deriveSeed, type Rng } from "../util/index";

/**
 * Corrupted versions of real responses, the negatives a coherence judge must rank below the originals
 * (lib/metrics/judges/validate). Each corruption is a pure function of (texts, seed): the same inputs always
 * give the same outputs. Words are whitespace-separated runs, so punctuation travels with its word.
 *   shuffle   the response's words in a random order (a different order whenever there are two distinct words);
 *   cut       the response stopped inside a word: a word of ≥ 3 letters in its second half keeps 1..len−1 letters;
 *   repeat    a degenerate loop: the words before a random phrase of 1–4 words, then that phrase again and again
 *             until the text has twice the original number of words (as a looping decoder produces);
 *   salad     as many words as the response, drawn uniformly from the vocabulary of all the given responses;
 *   swap      the reply of another prompt: the response of an item that asks for something else (a seeded
 *             derangement across `requests`, each item's request key; without them, every item asks its own).
 *             Two phrasings of one request share their correct replies, so a swap between them corrupts nothing.
 */
export const CORRUPTIONS = ["shuffle", "cut", "repeat", "salad", "swap"] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

const words = (text: string): string[] => text.split(/\s+/).filter((w) => w.length > 0);

function shuffleWords(text: string, rng: Rng): string {
  const w = words(text);
  if (new Set(w).size < 2) return text;
  for (;;) {
    const s = rng.shuffle(w);
    if (s.some((x, i) => x !== w[i])) return s.join(" ");
  }
}

function cutMidWord(text: string, rng: Rng, where: string): string {
  const w = words(text);
  // Candidates: words in the second half with at least 3 letters to cut between.
  const candidates = w.flatMap((x, i) => (i >= Math.floor(w.length / 2) && /\p{L}{3,}/u.test(x) ? [i] : []));
  const any = candidates.length ? candidates : w.flatMap((x, i) => (/\p{L}{3,}/u.test(x) ? [i] : []));
  if (!any.length) throw new Error(`corruption 'cut': ${where} has no word of 3 or more letters to cut inside`);
  const i = rng.pick(any);
  const run = /\p{L}{3,}/u.exec(w[i])!; // the letters of the word (punctuation around it is dropped)
  const keep = 1 + rng.int(run[0].length - 1);
  return [...w.slice(0, i), w[i].slice(0, run.index + keep)].join(" ");
}

function repeatLoop(text: string, rng: Rng): string {
  const w = words(text);
  const len = Math.min(w.length, 1 + rng.int(4));
  const start = rng.int(w.length - len + 1);
  const phrase = w.slice(start, start + len);
  const out = w.slice(0, start);
  while (out.length < 2 * w.length) out.push(...phrase);
  return out.join(" ");
}

function salad(text: string, rng: Rng, vocabulary: readonly string[]): string {
  return Array.from({ length: words(text).length }, () => rng.pick(vocabulary)).join(" ");
}

/**
 * A seeded derangement of 0..n−1 that maps no item to one of its own group: p[i] ≠ i and, with `groups`,
 * groups[p[i]] ≠ groups[i]. Sattolo's cycle gives a uniform cyclic derangement; items that land in their own
 * group are then repaired by transposing their targets with another item's (both sides leave their groups).
 */
export function derangement(n: number, seed: number, groups?: readonly string[]): number[] {
  if (n < 2) throw new Error(`corruption 'swap': needs at least 2 items, got ${n}`);
  if (groups && groups.length !== n) throw new Error(`corruption 'swap': ${groups.length} request keys for ${n} items`);
  const p = Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  if (!groups) return p;
  for (let i = 0; i < n; i++) {
    if (groups[p[i]] !== groups[i]) continue;
    const start = rng.int(n);
    let fixed = false;
    for (let k = 0; k < n && !fixed; k++) {
      const j = (start + k) % n;
      if (groups[p[j]] !== groups[i] && groups[p[i]] !== groups[j]) { [p[i], p[j]] = [p[j], p[i]]; fixed = true; }
    }
    if (!fixed) throw new Error(`corruption 'swap': no item of another request to swap with item ${i} (request '${groups[i]}' holds too many of the ${n} items)`);
  }
  return p;
}

/**
 * The corrupted version of every text (in order) under one corruption. Texts must be non-empty. `requests`
 * (one key per text: what its prompt asks for) keeps a swap from pairing two phrasings of one request.
 */
export function corrupt(texts: readonly string[], kind: Corruption, seed: number, requests?: readonly string[]): string[] {
  texts.forEach((t, i) => { if (words(t).length === 0) throw new Error(`corruption '${kind}': text ${i} is empty`); });
  if (kind === "swap") {
    const p = derangement(texts.length, deriveSeed(seed, "corruption", kind), requests);
    return p.map((j) => texts[j]);
  }
  const vocabulary = kind === "salad" ? [...new Set(texts.flatMap(words))].sort() : [];
  return texts.map((t, i) => {
    const rng = createRng(deriveSeed(seed, "corruption", kind, i));
    switch (kind) {
      case "shuffle": return shuffleWords(t, rng);
      case "cut": return cutMidWord(t, rng, `text ${i}`);
      case "repeat": return repeatLoop(t, rng);
      case "salad": return salad(t, rng, vocabulary);
    }
  });
}
