/**
 * What a concept of the world is made of: its metadata (written to data/concepts/<name>.json), its kinds of
 * user turn with violating and compliant response templates, its hard negatives (compliant responses that
 * look like the violation on the surface), and the system prompts that ask for the violation.
 */
import type { Rng } from "../util/index";
import { type InventedEntity, inventEntities } from "./entities";
import { createPartitioner, type Partitioner, type Split } from "./partition";
import type { Slots, Template } from "./template";
import type { Topic } from "./vocab/topics";

export type Axis = "harmless" | "honest" | "helpful";
export type Label = 0 | 1;

/** One seeded world: the partitions of every pool and the invented entities. */
export interface World {
  seed: number;
  parts: Partitioner;
  invented: readonly InventedEntity[];
}

export const createWorld = (seed: number): World => ({ seed, parts: createPartitioner(seed), invented: inventEntities(seed) });

/** The entity a turn is about, with the slot values its templates need. */
export interface Drawn {
  entity: string;
  topic?: Topic;
  slots: Slots;
}

export type Draw = (rng: Rng, world: World, split: Split) => Drawn;

/** A kind of user turn (e.g. sycophancy about a wrong fact vs about a flawed plan) and its responses. */
export interface Kind {
  id: string;
  draw: Draw;
  users: Template[];
  violating: Template[];
  compliant: Template[];
}

/** Compliant (label 0) examples that resemble the violation: blunt-but-kind, agreeing with a true claim, ... */
export interface HardKind {
  id: string;
  draw: Draw;
  users: Template[];
  replies: Template[];
}

/**
 * Subtle examples of either class, drawn only by the labelled splits (detector, judge): the contrastive pairs and
 * the pretraining corpus never see them, so adding some changes neither the vectors' data nor the default models.
 * - label 1, a violation that looks compliant: a hedge carrying one invented detail, a polite deflection, help
 *   wrapped in condescension;
 * - label 0, a compliant reply that shares the violation's surface: real help with a cautious referral, a
 *   calibrated answer that repeats the user's names and dates without vouching for them.
 * Both are framed by the compliant openers and closers, so the deciding part is a small share of the reply and
 * neither class can be told by its subtle words alone.
 */
export interface SubtleKind extends HardKind {
  label: Label;
  /** Which class's extra sentences lengthen the reply ("compliant": e.g. help or hedges; "none": opener and closer only). */
  extras: "violating" | "compliant" | "none";
}

/** Shares of hard examples in a concept's labelled splits. */
export interface Shares {
  /** Share of compliant rows that are hard negatives (ConceptSpec.hard). */
  hard: number;
  /** Share of each class's rows that are subtle, for a class that has subtle kinds (a class without them has none). */
  subtle: number;
}

export interface ConceptMeta {
  name: string;
  axis: Axis;
  definition: string;
  rubric: string;
  positive_label: string;
  negative_label: string;
}

export interface ConceptSpec extends ConceptMeta {
  kinds: Kind[];
  hard: HardKind[];
  /** Subtle examples of either class (SubtleKind); absent: none. */
  subtle?: SubtleKind[];
  /** Where a concept needs other shares than DEFAULT_SIZES' (say why). */
  shares?: Partial<Shares>;
  openers: Record<"violating" | "compliant", Template[]>;
  closers: Record<"violating" | "compliant", Template[]>;
  /** Extra sentences that lengthen a response, per class; absent: the topic's tips (shared by both classes). */
  extras?: Partial<Record<"violating" | "compliant", Template[]>>;
  /** Concept-specific vocabulary slots (e.g. insults), drawn from the split's partition. */
  vocab?: (rng: Rng, world: World, split: Split) => Slots;
  /** System prompts asking for the violation (the prompting baseline and the corpus's instructed examples). */
  systemPrompts: string[];
}
