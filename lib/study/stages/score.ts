import type { Judge } from "../../metrics/index";
import type { ArtefactCache } from "../../util/index";
import type { StudyConfig } from "../config";
import { intrinsicScores, referencePerplexity, type IntrinsicScores } from "../intrinsic";
import { STUDY_VERSION, type ConceptHandle, type ModelHandle } from "./handles";

/**
 * Stage 4, score: a row's intrinsic scores (lib/study/intrinsic) under the unsteered model, coherence calibrated
 * against the model's perplexity on the concept's real compliant responses (a `reference-ppl` artefact).
 */

/** Perplexity of the unsteered model on real compliant responses: the coherence calibration's reference. */
export const referencePerplexityStage = (store: ArtefactCache, h: ModelHandle, c: ConceptHandle): Promise<number> =>
  store.json("reference-ppl", { v: STUDY_VERSION, model: h.id, data: c.dataId }, () => {
    const refs = c.test.filter((e) => e.label === 0).slice(0, 200);
    return referencePerplexity(h.engine, refs.map((e) => e.user), refs.map((e) => e.response));
  });

export const scoreStage = (h: ModelHandle, judge: Judge, texts: { prompts: string[]; texts: string[] }, pplRef: number, cfg: StudyConfig): Promise<IntrinsicScores> =>
  intrinsicScores(h.engine, judge, texts.prompts, texts.texts, pplRef, cfg.diversity);
