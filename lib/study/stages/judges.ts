import {
  coherenceJudge, coherenceReferences, conceptClassifierJudge, conceptExchangeJudge, rememberLast, validateConceptJudges,
  type CoherenceReferences, type Judge, type JudgeValidation,
} from "../../metrics/index";
import type { ArtefactCache } from "../../util/index";
import type { StudyConfig } from "../config";
import { STUDY_VERSION, type ConceptHandle, type ModelHandle } from "./handles";

/**
 * Stage 0, judges: the success judge of (concept, model) — `exchange` (fitted once, cached as JSON under
 * `judgesDir`) or `classifier` — and the coherence judge, calibrated per class on the concept's judge split (a
 * `coherence-reference` artefact) and told each text's class by the success judge; then their validation (a
 * `judge-validation` artefact), which the study writes as judges.csv and prints before its summary.
 */
export interface StudyJudges { success: Judge; coherence: Judge }

/** Sizes of the study's judge validation: a class-stratified subsample of detector_test, real responses corrupted. */
export const JUDGE_VALIDATION = { successItems: 600, coherenceItems: 60, bootstrapIterations: 1000 } as const;

export async function judgesStage(store: ArtefactCache, cfg: StudyConfig, h: ModelHandle, c: ConceptHandle, judgesDir: string): Promise<StudyJudges> {
  // Remembered: the coherence judge asks the success judge about the texts just scored for success.
  const success = rememberLast(cfg.judges.success === "classifier"
    ? conceptClassifierJudge(c.source)
    : await conceptExchangeJudge(h.engine, c.source, { seed: cfg.seed, modelId: h.id, cacheDir: judgesDir }));
  const refs = await store.json<CoherenceReferences>("coherence-reference", { v: STUDY_VERSION, model: h.id, data: c.dataId }, () =>
    coherenceReferences(h.engine, c.source));
  return { success, coherence: coherenceJudge(h.engine, refs, success) };
}

export const judgeValidationStage = (store: ArtefactCache, cfg: StudyConfig, h: ModelHandle, c: ConceptHandle, judges: StudyJudges, key: object): Promise<JudgeValidation> =>
  store.json("judge-validation", { ...key, validation: JUDGE_VALIDATION }, () =>
    validateConceptJudges({ concept: c.source, model: h.name, success: [judges.success], coherence: [judges.coherence], seed: cfg.seed, ...JUDGE_VALIDATION }));
