import type { ConceptSpec } from "../concept";
import { hallucination } from "./hallucination";
import { refusal } from "./refusal";
import { sycophancy } from "./sycophancy";
import { toxicity } from "./toxicity";

/** The embedded concepts, in the study's order. */
export const CONCEPT_SPECS: readonly ConceptSpec[] = [toxicity, sycophancy, hallucination, refusal];
export const CONCEPTS: readonly string[] = CONCEPT_SPECS.map((c) => c.name);

export function conceptSpec(name: string): ConceptSpec {
  const c = CONCEPT_SPECS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown concept '${name}' (embedded concepts: ${CONCEPTS.join(", ")})`);
  return c;
}
