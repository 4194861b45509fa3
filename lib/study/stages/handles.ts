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

/** Bump when a stage's computation changes, so cached artefacts are recomputed. */
export const STUDY_VERSION = 4;
