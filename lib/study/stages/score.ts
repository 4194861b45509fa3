import type { StudyConfig } from "../config";
import { intrinsicScores, type IntrinsicScores } from "../intrinsic";
import type { StudyJudges } from "./judges";

/** Stage 4, score: a row's intrinsic scores (lib/study/intrinsic) by the (concept, model)'s judges (stage 0). */
export const scoreStage = (judges: StudyJudges, texts: { prompts: string[]; texts: string[] }, cfg: StudyConfig): Promise<IntrinsicScores> =>
  intrinsicScores(judges.success, judges.coherence, texts.prompts, texts.texts, cfg.diversity);
