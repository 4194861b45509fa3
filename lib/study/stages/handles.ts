import type { LoadedModel } from "../../checkpoint/index";
import type { Example } from "../../detect/index";
import type { Engine } from "../../engine/index";

/** What the stages know of a model: its checkpoint, a live engine, and its content id (part of every key). */
export interface ModelHandle {
  name: string;
  loaded: LoadedModel;
  engine: Engine;
  id: string;
}

/** What the stages know of a concept: its real detector split, generation prompts and baseline instructions. */
export interface ConceptHandle {
  /** The concept's own name (results, seeds, provenance). */
  name: string;
  /** The config's entry: a concept name or a path to a concept .json. */
  source: string;
  /** Fingerprint of all of the concept's data the study reads (part of every key). */
  dataId: string;
  train: Example[];
  test: Example[];
  prompts: string[];
  systems: string[];
}

export interface SamplingSettings {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
}

/** Generated texts of one group (cells in sweep order) or of a generated baseline, as the study stores them. */
export interface StoredGenerations {
  prompts: string[];
  seeds: number[];
  texts: string[];
  /** Per text: the strength (groups) or the system prompt (prompting; absent for unsteered). */
  strengths?: number[];
  systems?: string[];
}

/** Bump when a stage's computation changes, so cached artefacts are recomputed. */
export const STUDY_VERSION = 12; // 6: ITI heads chosen by steering effect; 7: judges read each text in one pass (float rounding differs); 8: rows carry violation_rate; 9: the exchange judge reads judge_instructions; 10: one instruction, shared judge reads, dual logistic fits (float rounding differs); 11: the exchange judge reads three depths and the specifics; 12: coherence held to each text's class reference
