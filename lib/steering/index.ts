/**
 * lib/steering: concept directions and how to apply them.
 *   read, capture, dataset   token-reading policies, activation capture, contrast data (PAIRS.jsonl, concepts)
 *   methods/                 actadd, caa, pca, iti, probe: factories sharing one SteeringMethod interface
 *   extract                  the pipeline capture → method → vector
 *   vector                   the SteeringVector value and its arithmetic (sum, difference, scale, negate)
 *   spec, sweep              declarative steering specs lowered to per-sample engine steering; strength sweeps
 *   layers                   per-layer probe accuracy / separation (where a concept is readable)
 *   effect, choose-layer     teacher-forced steering effect per layer, and the "auto" layer choice
 *   persistence, controlvector, gguf   safetensors + JSON provenance; GGUF control vectors (llama.cpp, repeng)
 */
export { loadConceptPairs } from "./concept-data";
export { exportControlVector, importControlVector, encodeControlVector, decodeControlVector } from "./controlvector";
export { datasetFingerprint, encodePairs, readPairsJsonl, type ContrastPair, type EncodedPair } from "./dataset";
export { capturePairs, extractVector, REFINE_PAIRS, resolveLayers, vectorFromActivations, vectorWithEffect, type CapturePairsOptions, type ExtractOptions } from "./extract";
export { layerColumns, layerTable, scoreLayers, type LayerScore, type LayerScoreOptions } from "./layers";
export { layerEffects, pairLogRatioRows, pairLogRatios, responseLogProb, steerableLayer, type LayerEffect, type LayerEffectOptions } from "./effect";
export { chooseLayer, type ChooseLayerOptions, type LayerChoice } from "./choose-layer";
export * from "./methods/index";
export { loadVector, provenancePath, readVectorFile, saveVector, vectorFiles } from "./persistence";
export { PROVENANCE_FORMAT, STRENGTH_UNIT, type Provenance } from "./provenance";
export { lowerSpec, OPERATORS, specFingerprint, steerBatch, validateSpec, WINDOWS, type SteerOperator, type SteeringSpec, type SteeringTerm } from "./spec";
export { buildSweep, type SweepBatch, type SweepCell } from "./sweep";
export {
  checkCompatible, createVector, difference, modelIdentity, negate, scale, sum, unitDirection, vectorFingerprint, vectorLayers,
  type LayerInfo, type ModelIdentity, type SteeringVector,
} from "./vector";
