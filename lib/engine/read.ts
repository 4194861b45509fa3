/**
 * Token-reading policies: which positions of a tokenised example an activation is read at.
 *   last    the last token of the sequence (repeng; with --concept, the last token of the assistant response);
 *   answer  the answer token of an A/B item (CAA): the last response token that holds a letter or digit,
 *           so "(A)", "A" and "(A" all read at the letter;
 *   mean    the mean over the response tokens [responseStart, responseEnd).
 */
export type ReadPolicy = "last" | "answer" | "mean";
export const READ_POLICIES: readonly ReadPolicy[] = ["last", "answer", "mean"];

/**
 * A tokenised example. Prompt = ids[0, responseStart), response = ids[responseStart, responseEnd); tokens after
 * responseEnd (none for the encodings steersynth makes) belong to neither.
 */
export interface EncodedText {
  ids: number[];
  responseStart: number;
  responseEnd: number;
  /** Position of the answer token (A/B items only). */
  answerIndex?: number;
}

/** The positions whose activations are averaged for one example under a policy. */
export function readPositions(text: EncodedText, policy: ReadPolicy, where: string): number[] {
  const n = text.ids.length;
  if (n === 0) throw new Error(`${where}: the example has no tokens`);
  switch (policy) {
    case "last":
      return [n - 1];
    case "answer":
      if (text.answerIndex === undefined)
        throw new Error(`${where}: --read answer needs A/B items with an answer token (use --concept data with ab items, or --read last|mean)`);
      if (!Number.isInteger(text.answerIndex) || text.answerIndex < 0 || text.answerIndex >= n)
        throw new Error(`${where}: answerIndex ${text.answerIndex} is outside the ${n} tokens`);
      return [text.answerIndex];
    case "mean": {
      const { responseStart: a, responseEnd: b } = text;
      if (!(Number.isInteger(a) && Number.isInteger(b) && 0 <= a && a < b && b <= n))
        throw new Error(`${where}: --read mean needs a non-empty response span, got [${a}, ${b}) of ${n} tokens`);
      return Array.from({ length: b - a }, (_, i) => a + i);
    }
    default:
      throw new Error(`${where}: unknown read policy ${JSON.stringify(policy)} (expected ${READ_POLICIES.join(", ")})`);
  }
}
