import { loadConcept, readAb, readPairs } from "../world/index";
import type { ContrastPair } from "./dataset";
import type { ReadPolicy } from "../engine/index";

/**
 * A concept's contrastive data as extraction uses it (files and readers of lib/world/schema.ts):
 *   pairs.jsonl {user, positive, negative}                      → "chat" pairs (read last | mean);
 *   ab.jsonl    {user, question, positive_answer, negative_answer} → "ab" pairs (read answer): the user turn is
 *               `question` (the user's message with options (A) and (B)), the response is "(A)" or "(B)", CAA style.
 */
export function loadConceptPairs(name: string, read: ReadPolicy): ContrastPair[] {
  const concept = loadConcept(name);
  if (read === "answer")
    return readAb(concept.paths.ab).map((r) => ({ kind: "ab", user: r.question, positive: `(${r.positive_answer})`, negative: `(${r.negative_answer})` }));
  return readPairs(concept.paths.pairs).map((r) => ({ kind: "chat", user: r.user, positive: r.positive, negative: r.negative }));
}
