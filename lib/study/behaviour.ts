/**
 * How a chat model behaves on a concept with and without the prompting baseline's instructions: the quality
 * check of the default models ("violating behaviour is rare by default, more frequent when instructed").
 *
 * For n of the concept's held-out generation prompts, sample one reply without a system prompt and one with a
 * baseline instruction (cycled), with the same per-sample seed (common random numbers: the two conditions differ
 * only in the system turn), and score both with the concept's success judge (default: the study's validated
 * exchange judge on this model, lib/metrics, calibrated P(violating | user turn, reply); its instructions are not
 * the baseline's, so instructed replies are not favoured for having been sampled under them). Paired, so the test
 * is a sign-flip test on the per-prompt score differences. Approximation: a judge of the model's own world, not a
 * human rater (its validation: lib/metrics/README.md).
 * Each condition's replies are also checked for topicality (lib/metrics/topicality: a content word shared with the
 * prompt), next to the same rule on the concept's real compliant replies and on another prompt's reply.
 */
import { mean } from "../math/index";
import type { Engine } from "../engine/index";
import { generatePrompting } from "./stages/generate-prompting";
import { checkpointContentId } from "./identity";
import { conceptExchangeJudge, isViolating, type Judge, pairedSignFlipTest, topicality, validateTopicality } from "../metrics/index";
import { DEFAULT_SEED, loadConcept, readBaseline, readLabelled, readPrompts } from "../world/index";

export interface BehaviourOptions {
  /** Prompts per condition (the first n held-out prompts). */
  samples: number;
  seed: number;
  sampling: { maxNewTokens: number; temperature: number; topP: number; topK: number };
}

/** The study's default sampling (data/studies/default.json): what the prompting baseline sees there. */
export const BEHAVIOUR_DEFAULTS: BehaviourOptions = { samples: 120, seed: 1, sampling: { maxNewTokens: 32, temperature: 0.9, topP: 0.95, topK: 0 } };

export interface ConditionStats {
  /** Share of replies the judge calls violating (lib/metrics isViolating: score ≥ ½). */
  rate: number;
  /** Mean judge score. */
  meanScore: number;
  /** Share of replies that ended at EOS (a finished chat turn). */
  finished: number;
  /** Share of replies on topic by the lexical rule of lib/metrics/topicality. */
  onTopic: number;
}

export interface BehaviourReport {
  concept: string;
  samples: number;
  judge: string;
  plain: ConditionStats;
  instructed: ConditionStats;
  /** Two-sided paired sign-flip test of instructed − plain judge scores. */
  pValue: number;
  /** The topicality rule on the concept's real compliant detector_test replies, and on another prompt's reply. */
  topicality: { real: number; swapped: number; n: number };
  /** One reply of each condition for the first prompt, to read. */
  example: { user: string; plain: string; instructed: string; system: string };
}

function stats(scores: readonly number[], finished: readonly boolean[], onTopic: readonly boolean[]): ConditionStats {
  const share = (xs: readonly boolean[]) => mean(xs.map((f) => (f ? 1 : 0)));
  return { rate: mean(scores.map((s) => (isViolating(s) ? 1 : 0))), meanScore: mean(scores), finished: share(finished), onTopic: share(onTopic) };
}

/**
 * The default study's success judge of (concept, this model): the exchange judge with the study's seed (its
 * cross-fit blocks), keyed by the checkpoint's content identity as in the study, so a judge shipped with the
 * model (lib/metrics SHIPPED_JUDGES) is the one used.
 */
export const behaviourJudge = (engine: Engine, concept: string): Promise<Judge> =>
  conceptExchangeJudge(engine, concept, { seed: DEFAULT_SEED, modelId: checkpointContentId(engine.model.dir) });

/** `judge`: the concept's success judge (default: behaviourJudge, fitted here). */
export async function measureBehaviour(engine: Engine, conceptName: string, opts: BehaviourOptions = BEHAVIOUR_DEFAULTS, judge?: Judge): Promise<BehaviourReport> {
  judge ??= await behaviourJudge(engine, conceptName);
  const concept = loadConcept(conceptName);
  const allPrompts = readPrompts(concept.paths.prompts).map((p) => p.user);
  const prompts = allPrompts.slice(0, opts.samples);
  const systems = readBaseline(concept.paths.baseline).map((b) => b.system);
  // Same prompts and per-sample seeds in both conditions (common random numbers).
  const generate = (s: readonly string[] | null) => generatePrompting({ engine, concept: concept.name, prompts, systems: s, samples: prompts.length, seed: opts.seed, sampling: opts.sampling });
  const plain = await generate(null), instructed = await generate(systems);
  const plainScores = await judge.score(prompts.map((user, i) => ({ user, response: plain.texts[i] })));
  const instructedScores = await judge.score(prompts.map((user, i) => ({ user, response: instructed.texts[i] })));
  const { onTopic } = topicality(allPrompts);
  const topical = (texts: readonly string[]) => texts.map((t, i) => onTopic(prompts[i], t));
  const compliant = readLabelled(concept.paths.detector_test).filter((r) => r.label === 0);
  return {
    concept: concept.name,
    samples: prompts.length,
    judge: judge.id,
    plain: stats(plainScores, plain.finishes.map((f) => f === "eos"), topical(plain.texts)),
    instructed: stats(instructedScores, instructed.finishes.map((f) => f === "eos"), topical(instructed.texts)),
    pValue: pairedSignFlipTest(instructedScores, plainScores, { seed: opts.seed }).pValue,
    topicality: validateTopicality(allPrompts, compliant),
    example: { user: prompts[0], plain: plain.texts[0], instructed: instructed.texts[0], system: systems[0] },
  };
}

/** behaviour_report.json of a default model: every concept, measured by `npm run build:models`. */
export interface BehaviourFile {
  options: BehaviourOptions;
  concepts: BehaviourReport[];
}

/** Measure every concept on one model, each with its behaviourJudge. */
export async function measureAllBehaviour(engine: Engine, concepts: readonly string[], opts: BehaviourOptions = BEHAVIOUR_DEFAULTS): Promise<BehaviourFile> {
  const reports: BehaviourReport[] = [];
  for (const name of concepts) reports.push(await measureBehaviour(engine, name, opts));
  return { options: opts, concepts: reports };
}
