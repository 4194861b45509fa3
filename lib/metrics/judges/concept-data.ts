import { loadConcept, type LabelledRow } from "../../world/index";

/**
 * What the judges read of a concept, through the world's validated readers: its `rubric` (LLM judges) and its
 * judge_train split ({user, response, label}) — the judge's own data, disjoint from every detector split.
 */
export type LabelledResponse = Pick<LabelledRow, "user" | "response" | "label">;

export const readRubric = (concept: string): string => loadConcept(concept).rubric;

export const judgeTrainFile = (concept: string): string => loadConcept(concept).paths.judge_train;
