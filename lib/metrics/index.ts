/**
 * The study's intrinsic metrics: success and coherence judges, sample- and set-level diversity, the [0, 1] axes
 * and their harmonic means, and the statistics used to compare configurations and detectors.
 * Definitions and the choices made where common Python implementations differ: lib/metrics/README.md.
 */
export { tokenize } from "./tokenize";
export { topicality, frameWords, candidateWords, validateTopicality, FRAME_SHARE, MIN_LETTERS } from "./topicality";
export { Vocabulary, ngramCounts, ngramKeys } from "./ngrams";
export { distinctN, corpusDistinctN, repetitionRate, ngramEntropy } from "./distinct";
export { compressionRatio, setCompressionRatio } from "./compression";
export { sentenceBleu, selfBleu, brevityPenalty, closestRefLength } from "./bleu";
export { symmetricEigen, type SymmetricEigen, type EigenOptions } from "./linalg";
export { vendiFromEigenvalues, vendiFromFeatures, vendiNgram, vendiEmbedding, ngramFeatures, type FeatureRows } from "./vendi";
export { meanPairwiseCosineDistance, unitRows } from "./cosine";
export { encodeTexts, sampleDiversity, setDiversity, type SampleDiversity, type SetDiversity, type SetDiversityOptions } from "./diversity";
export { engineEmbedder, transformersEmbedder, type Embedder } from "./embed";
export { openEmbedder, embedWith } from "./embedder-spec";
export { readGenerations, type GenerationRow } from "./generations";
export { responseNll, responseTokenNll, responseReads, wordContinuationIds, pooledPerplexity, perplexityCoherence, coherenceFromPerplexity, type ScoredText, type ResponseRead } from "./coherence";
export {
  diversityAxis, harmonicMean, combinedScores, parseDiversityAxis, DEFAULT_DIVERSITY_AXIS, type Axes, type DiversityAxis,
} from "./aggregate";
export {
  auroc, spearman, kendallTau, averageRanks, bootstrap, quantileSorted, pairedSignFlipTest,
  type Interval, type BootstrapOptions, type PairedTest,
} from "./stats";
export type { Judge, JudgeItem } from "./judges/types";
export { isViolating, VIOLATION_THRESHOLD } from "./judges/types";
export { judgePrompt, COHERENCE_RUBRIC } from "./judges/prompt";
export { trainClassifierJudge, conceptClassifierJudge, type ConceptClassifier, type ClassifierOptions } from "./judges/classifier";
export { engineJudge } from "./judges/engine-judge";
export { httpJudge, parseScoreReply, type HttpJudgeOptions } from "./judges/http-judge";
export { JudgementCache, type Judgement } from "./judges/cache";
export { scoreTokens, expectedScore, type ScoreTokens } from "./judges/score-tokens";
export { readRubric, judgeTrainFile, type LabelledResponse } from "./judges/concept-data";
export { expectedCalibrationError, reliabilityBins, fitPlatt, applyPlatt, type ReliabilityBin, type PlattMap } from "./calibration";
export { corrupt, derangement, CORRUPTIONS, type Corruption } from "./corruptions";
export {
  coherenceJudge, coherenceReference, coherenceParts, coherenceFromParts, referenceAt, loopFraction,
  type CoherenceReference, type CoherenceReferences, type CoherenceParts,
} from "./coherence-judge";
export { conceptExchangeJudge, fitExchangeJudge, exchangeJudge, crossFitBlocks, LEXICAL_WEIGHTS, SHIPPED_JUDGES, shippedJudgeFile, type ExchangeJudgeOptions, type FittedExchangeJudge } from "./judges/exchange-judge";
export { exchangeFeatures, delexicalise, lexicalTerms, specificTerms, copiedTokens, claimStatistics } from "./judges/exchange-features";
export {
  validateSuccessJudge, validateCoherenceJudge, validationRow, mergeValidations, writeJudgesCsv, formatJudgesTable,
  SUCCESS_TARGET, COHERENCE_TARGET, JUDGE_COLUMNS, type JudgeValidation, type JudgeValidationRow, type Target, type Labelled,
} from "./judges/validate";
export { rememberLast } from "./judges/remember";
export { validateConceptJudges, validateDefaultJudges, defaultCoherenceJudge, coherenceReferenceItems, coherenceReferences, stratifiedSample, type ConceptJudgeValidation } from "./judges/validate-concept";
