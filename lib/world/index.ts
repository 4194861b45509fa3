/**
 * The embedded concept world: a seeded generator of chat dialogues, the concept datasets the study runs on out
 * of the box (data/concepts/), and the pretraining corpus of the default chat models.
 */
export { buildCorpus, CORPUS_LENGTH, DEFAULT_MIX, type CorpusItem, type CorpusKind, type CorpusMix, type CorpusOptions } from "./corpus";
export { renderChat, dialogue, SPECIAL_TOKENS, IM_START, IM_END, END_OF_TEXT, type ChatMessage, type Role } from "./chat";
export { CONCEPTS, CONCEPT_SPECS, conceptSpec } from "./concepts/index";
export { DEFAULT_SEED } from "./defaults";
export { buildConceptData, conceptShares, generateConceptData, DEFAULT_SIZES, type BuildOptions, type ConceptData, type DatasetSizes } from "./build";
export {
  loadConcept, readPairs, readAb, readPrompts, readLabelled, readBaseline, readJsonl, corpusStyle, CONCEPT_FILES, OPTIONAL_CONCEPT_FILES, AXES,
  type Concept, type ConceptFile, type ConceptFileKey, type OptionalConceptFileKey, type PairRow, type AbRow, type PromptRow, type LabelledRow, type BaselineRow,
} from "./schema";
