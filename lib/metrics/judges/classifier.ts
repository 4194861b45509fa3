import { sigmoid, fitLogistic, type LogisticModel } from "../../math/index";
import { DEFAULT_FEATURE_DIM, hashedFeatures } from "./hashed-features";
import { readLabelled } from "../../world/index";
import { judgeTrainFile, type LabelledResponse } from "./concept-data";
import type { Judge, JudgeItem } from "./types";

/**
 * The classifier success judge: L2 logistic regression on hashed word uni/bigrams of the response, trained on
 * the concept's judge split (data kept apart from every detector under test). Score = P(violating | response).
 * Fitting is deterministic (full-batch accelerated gradient descent from zero), so no seed is involved.
 */
export interface ClassifierOptions { dim?: number; l2?: number; iterations?: number }

export interface ConceptClassifier extends Judge {
  model: LogisticModel;
  dim: number;
}

export function trainClassifierJudge(id: string, examples: readonly LabelledResponse[], opts: ClassifierOptions = {}): ConceptClassifier {
  const dim = opts.dim ?? DEFAULT_FEATURE_DIM;
  if (examples.length === 0) throw new Error(`classifier judge ${id}: no training examples`);
  const x = hashedFeatures(examples.map((e) => e.response), dim);
  const model = fitLogistic(x, examples.map((e) => e.label), dim, { l2: opts.l2 ?? 1e-3, iterations: opts.iterations ?? 300 });
  const probability = (items: readonly JudgeItem[]): number[] => {
    const f = hashedFeatures(items.map((it) => it.response), dim);
    return items.map((_, i) => {
      let z = model.b;
      for (let k = 0; k < dim; k++) z += model.w[k] * f[i * dim + k];
      return sigmoid(z);
    });
  };
  return { id, model, dim, score: async (items) => probability(items) };
}

/** Train the classifier judge of a concept on data/concepts/<concept>/judge_train.jsonl. */
export const conceptClassifierJudge = (concept: string, opts: ClassifierOptions = {}): ConceptClassifier =>
  trainClassifierJudge(`classifier:${concept}`, readLabelled(judgeTrainFile(concept)), opts);
