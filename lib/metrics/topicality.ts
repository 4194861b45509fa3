import { tokenize } from "./tokenize";

/**
 * Whether a reply answers on topic: it shares at least one *content word* with the user turn it answers.
 * A content word is a lexical token (lib/metrics/tokenize) of at least MIN_LETTERS letters that is neither a
 * common English function word (FUNCTION_WORDS) nor a *frame word* of the prompt set — a word that occurs in
 * more than FRAME_SHARE of the prompts, so it comes from the prompts' phrasing ("tell me straight", "ideas?")
 * rather than from what they ask about. Lexical, model-free and crude on purpose: it cannot see a paraphrase
 * ("coffee" for "espresso"), so it undercounts; its validation (lib/metrics/README.md, "Topicality") measures
 * how often real replies pass it and how often the reply of another prompt does.
 */
export const MIN_LETTERS = 4;
// A template's phrasing recurs across many prompts (the world's 120 prompts per concept come from ~10 templates
// each, so a template word is in ≥ 10 % of them) while one topic's words are in a few.
export const FRAME_SHARE = 0.15;

const FUNCTION_WORDS = new Set((
  "about above after again against also always among another anyone anything around away back because been before being below best better between both cannot come could does doing done down each even ever every from give going good have having here into just keep know like made make many more most much must need never next only other over really same should since some still such sure take than that their them then there these they thing things think this those though through today together under until upon very want well were what when where whether which while will with within without would your yours you're i'm it's that's don't can't isn't"
).split(" "));

/** Lower-cased word tokens of a text that can carry its topic (before the frame words are removed). */
export const candidateWords = (text: string): string[] =>
  tokenize(text).filter((w) => /^\p{L}/u.test(w) && [...w].filter((ch) => /\p{L}/u.test(ch)).length >= MIN_LETTERS && !FUNCTION_WORDS.has(w));

/** The frame words of a prompt set: candidate words found in more than FRAME_SHARE of its prompts. */
export function frameWords(prompts: readonly string[]): Set<string> {
  const df = new Map<string, number>();
  for (const p of prompts) for (const w of new Set(candidateWords(p))) df.set(w, (df.get(w) ?? 0) + 1);
  return new Set([...df].filter(([, n]) => n > FRAME_SHARE * prompts.length).map(([w]) => w));
}

/** A topicality rule for one prompt set: `onTopic(user, reply)`. */
export function topicality(prompts: readonly string[]): { frame: Set<string>; onTopic: (user: string, reply: string) => boolean } {
  const frame = frameWords(prompts);
  const content = (t: string) => new Set(candidateWords(t).filter((w) => !frame.has(w)));
  return {
    frame,
    onTopic: (user, reply) => {
      const asked = content(user);
      for (const w of content(reply)) if (asked.has(w)) return true;
      return false;
    },
  };
}

/** The rule's validation on real (user, reply) pairs: how many pass, and how many pass with another prompt's reply. */
export function validateTopicality(prompts: readonly string[], pairs: readonly { user: string; response: string }[]): { real: number; swapped: number; n: number } {
  if (pairs.length < 2) throw new Error(`topicality validation: needs at least 2 (user, reply) pairs, got ${pairs.length}`);
  const { onTopic } = topicality(prompts);
  // Reply k + ⌊n/2⌋ (mod n) answers another prompt: a fixed derangement, so the numbers are reproducible.
  const shift = Math.floor(pairs.length / 2);
  const share = (f: (k: number) => boolean) => pairs.filter((_, k) => f(k)).length / pairs.length;
  return {
    real: share((k) => onTopic(pairs[k].user, pairs[k].response)),
    swapped: share((k) => onTopic(pairs[k].user, pairs[(k + shift) % pairs.length].response)),
    n: pairs.length,
  };
}
