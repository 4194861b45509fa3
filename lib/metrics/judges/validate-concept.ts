import type { Engine } from "../../engine/index";
import { createRng, deriveSeed } from "../../util/index";
import { corpusStyle, loadConcept, readLabelled, type LabelledRow } from "../../world/index";
import { coherenceJudge, coherenceReference, type CoherenceReferences } from "../coherence-judge";
import { judgeTrainFile } from "./concept-data";
import { conceptExchangeJudge } from "./exchange-judge";
import { rememberLast } from "./remember";
import type { Judge, JudgeItem } from "./types";
import { mergeValidations, validateCoherenceJudge, validateSuccessJudge, type JudgeValidation, type Labelled } from "./validate";

/**
 * Validation of a concept's judges on one model, the call the study, the CLI and notebooks make:
 * success judges on the concept's detector_test split (templates and entities no judge trained on), coherence
 * judges on its real compliant test responses against their corruptions, and on real violating against real
 * compliant responses (a violation is not incoherence). The coherence judge's references (ℓ_ref, π_ref per
 * class) come from judge_train, so it is calibrated apart from what it is tested on.
 */
export interface ConceptJudgeValidation {
  concept: string;
  model: string;
  success: readonly Judge[];
  /** Coherence judges: the default one (defaultCoherenceJudge) and any others (e.g. an LLM judge with COHERENCE_RUBRIC). */
  coherence: readonly Judge[];
  seed: number;
  /** At most this many success test rows (a seeded, class-stratified subsample; default: all). */
  successItems?: number;
  /** Real responses for the coherence validation (default 100). */
  coherenceItems?: number;
  bootstrapIterations?: number;
}

/** A seeded subsample of at most n rows keeping the class ratio (all rows when n ≥ their number). */
export function stratifiedSample<T extends { label: number }>(rows: readonly T[], n: number, seed: number): T[] {
  if (n >= rows.length) return rows.slice();
  const rng = createRng(deriveSeed(seed, "judge-validation-sample"));
  const pos = rng.shuffle(rows.filter((r) => r.label === 1)), neg = rng.shuffle(rows.filter((r) => r.label === 0));
  const nPos = Math.round((n * pos.length) / rows.length);
  return [...pos.slice(0, nPos), ...neg.slice(0, n - nPos)];
}

const asLabelled = (r: LabelledRow): Labelled => ({ user: r.user, response: r.response, label: r.label as 0 | 1 });

/** The coherence judge's reference responses of one class: the first `n` corpus-style rows of that label in the concept's judge_train split. */
export const coherenceReferenceItems = (concept: string, label: 0 | 1, n = 200): JudgeItem[] =>
  corpusStyle(readLabelled(judgeTrainFile(concept)), label).slice(0, n).map((r) => ({ user: r.user, response: r.response }));

/** Both classes' references of a concept on one model (coherenceReferenceItems). */
export const coherenceReferences = async (engine: Engine, concept: string): Promise<CoherenceReferences> => ({
  compliant: await coherenceReference(engine, coherenceReferenceItems(concept, 0)),
  violating: await coherenceReference(engine, coherenceReferenceItems(concept, 1)),
});

/** The default coherence judge of a model for a concept; `violation` (its success judge) picks each text's reference. */
export const defaultCoherenceJudge = async (engine: Engine, concept: string, violation: Judge): Promise<Judge> =>
  coherenceJudge(engine, await coherenceReferences(engine, concept), violation);

export async function validateConceptJudges(v: ConceptJudgeValidation): Promise<JudgeValidation> {
  const test = readLabelled(loadConcept(v.concept).paths.detector_test);
  const where = { concept: v.concept, model: v.model };
  const opts = { seed: v.seed, bootstrapIterations: v.bootstrapIterations };
  const successSet = stratifiedSample(test, v.successItems ?? test.length, v.seed).map(asLabelled);
  // The entity is what a prompt asks for: the world phrases each request several ways.
  const real = stratifiedSample(corpusStyle(test, 0), v.coherenceItems ?? 100, v.seed).map((r) => ({ user: r.user, response: r.response, request: r.entity ?? r.user }));
  const violating = stratifiedSample(corpusStyle(test, 1), v.coherenceItems ?? 100, v.seed).map((r) => ({ user: r.user, response: r.response }));
  const parts: JudgeValidation[] = [];
  for (const j of v.success) parts.push(await validateSuccessJudge(j, successSet, { ...where, set: "detector_test" }, opts));
  for (const j of v.coherence) parts.push(await validateCoherenceJudge(j, real, where, opts, violating));
  return mergeValidations(parts);
}

/**
 * The study's default judges of (concept, model) — the exchange success judge and the coherence judge —
 * validated in one call (for notebooks): rows, reliability bins and the misjudged examples.
 */
export async function validateDefaultJudges(
  engine: Engine, concept: string, opts: { model: string; modelId: string; seed: number; cacheDir?: string; successItems?: number; coherenceItems?: number },
): Promise<JudgeValidation> {
  const success = rememberLast(await conceptExchangeJudge(engine, concept, { seed: opts.seed, modelId: opts.modelId, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) }));
  return validateConceptJudges({
    concept, model: opts.model, success: [success], coherence: [await defaultCoherenceJudge(engine, concept, success)], seed: opts.seed,
    ...(opts.successItems !== undefined ? { successItems: opts.successItems } : {}), ...(opts.coherenceItems !== undefined ? { coherenceItems: opts.coherenceItems } : {}),
  });
}
