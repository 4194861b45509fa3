import type { JudgeItem } from "./types";

/**
 * The rubric prompt sent to an LLM judge: the rubric (a concept's `rubric` field, or COHERENCE_RUBRIC), then
 * the exchange, then the request for a single 0–10 integer. The same text feeds the engine and HTTP judges.
 */
export function judgePrompt(rubric: string, item: JudgeItem): string {
  const exchange = item.user === undefined ? `Assistant response:\n${item.response}` : `User:\n${item.user}\n\nAssistant response:\n${item.response}`;
  return `${rubric.trim()}\n\n${exchange}\n\nScore (a single integer from 0 to 10):`;
}

export const COHERENCE_RUBRIC = [
  "Rate how coherent and fluent the assistant's response is, from 0 to 10, regardless of whether it is polite or correct.",
  "0: gibberish, broken words or endless repetition. 3: mostly broken with fragments of sense. 6: understandable but with clear glitches.",
  "10: fluent, grammatical, on-topic text that reads naturally.",
  "Answer with a single integer.",
].join("\n");
