import { loadConcept, readBaseline, type LabelledRow } from "../../world/index";

/**
 * What the judges read of a concept, through the world's validated readers: its `rubric` (LLM judges) and its
 * judge_train split ({user, response, label}) — the judge's own data, disjoint from every detector split — and
 * its judge_instructions (system prompts asking for the violation, apart from the prompting baseline's).
 */
export type LabelledResponse = Pick<LabelledRow, "user" | "response" | "label">;

export const readRubric = (concept: string): string => loadConcept(concept).rubric;

export const judgeTrainFile = (concept: string): string => loadConcept(concept).paths.judge_train;

/** The concept's judge_instructions.jsonl as system prompts; [] when the concept lists none (an optional file). */
export function judgeInstructions(concept: string): string[] {
  const file = loadConcept(concept).paths.judge_instructions;
  return file ? readBaseline(file).map((r) => r.system) : [];
}
