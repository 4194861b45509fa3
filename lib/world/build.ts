/**
 * The concept datasets of data/concepts/, generated from one seed. Each dataset draws from its own partition
 * of templates and entities (see partition.ts); same seed → byte-identical files.
 */
import { join } from "node:path";
import { writeJsonAtomic, writeJsonlAtomic, progress, createRng, deriveSeed, type Rng } from "../util/index";
import { type ConceptSpec, createWorld, type Label, type Shares, type World } from "./concept";
import { CONCEPT_SPECS, conceptSpec } from "./concepts/index";
import type { Partition } from "./partition";
import { heldOutPrompts, systemPromptSplit } from "./prompts";
import { sampleExample, sampleReply, sampleTurn } from "./sample";
import type { AbRow, BaselineRow, ConceptFile, ConceptFileKey, OptionalConceptFileKey, LabelledRow, PairRow, PromptRow } from "./schema";

export interface DatasetSizes {
  pairs: number;
  /** Per class (violating, compliant). */
  detectorTrain: number;
  detectorTest: number;
  judgeTrain: number;
  /** Share of compliant rows that are hard negatives (a concept's `shares.hard` overrides it). */
  hardShare: number;
  /** Share of each class's rows that are subtle, for classes that have subtle kinds (`shares.subtle` overrides it). */
  subtleShare: number;
}

export const DEFAULT_SIZES: DatasetSizes = { pairs: 240, detectorTrain: 1200, detectorTest: 600, judgeTrain: 400, hardShare: 0.2, subtleShare: 0.3 };

export interface ConceptData {
  meta: ConceptFile;
  pairs: PairRow[];
  ab: AbRow[];
  prompts: PromptRow[];
  detector_train: LabelledRow[];
  detector_test: LabelledRow[];
  judge_train: LabelledRow[];
  baseline: BaselineRow[];
  judge_instructions: BaselineRow[];
}

const FILE_NAMES: Record<ConceptFileKey | OptionalConceptFileKey, string> = {
  pairs: "pairs.jsonl", ab: "ab.jsonl", prompts: "prompts.jsonl", detector_train: "detector_train.jsonl",
  detector_test: "detector_test.jsonl", judge_train: "judge_train.jsonl", baseline: "baseline.jsonl",
  judge_instructions: "judge_instructions.jsonl",
};

/** Contrastive pairs, users distinct where the partition allows (retries), from the "pairs" partition. */
function makePairs(spec: ConceptSpec, world: World, rng: Rng, count: number): PairRow[] {
  const seen = new Set<string>();
  const rows: PairRow[] = [];
  while (rows.length < count) {
    let turn = sampleTurn(spec, world, rng, "pairs");
    for (let i = 0; i < 20 && seen.has(turn.user); i++) turn = sampleTurn(spec, world, rng, "pairs");
    seen.add(turn.user);
    const positive = sampleReply(spec, world, rng, "pairs", turn, 1).response;
    const negative = sampleReply(spec, world, rng, "pairs", turn, 0).response;
    rows.push({ user: turn.user, positive, negative, entity: turn.entity });
  }
  return rows;
}

/** A/B items from the pairs; the violating option's letter is exactly balanced (then shuffled). */
function makeAb(pairs: readonly PairRow[], rng: Rng): AbRow[] {
  const letters = rng.shuffle(pairs.map((_, i) => (i % 2 === 0 ? "A" : "B") as "A" | "B"));
  return pairs.map((p, i) => {
    const pos = letters[i];
    const [a, b] = pos === "A" ? [p.positive, p.negative] : [p.negative, p.positive];
    return { user: p.user, question: `${p.user}\n\nChoices:\n(A) ${a}\n(B) ${b}`, positive_answer: pos, negative_answer: pos === "A" ? "B" : "A" };
  });
}

/** `perClass` violating and `perClass` compliant rows from one partition, shuffled. */
function makeLabelled(spec: ConceptSpec, world: World, rng: Rng, split: Partition, perClass: number, shares: Shares): LabelledRow[] {
  const rows: LabelledRow[] = [];
  for (const label of [1, 0] as Label[])
    for (let i = 0; i < perClass; i++) {
      const ex = sampleExample(spec, world, rng, split, label, shares);
      // `subtle` only where true: the rows of a concept without subtle examples are unchanged.
      rows.push({ user: ex.user, response: ex.response, label: ex.label, template: ex.template, entity: ex.entity, hard: ex.hard, ...(ex.subtle ? { subtle: true } : {}) });
    }
  return rng.shuffle(rows);
}

/** The concept's shares of hard examples: its own where it states them, else the sizes' defaults. */
export const conceptShares = (spec: ConceptSpec, sizes: DatasetSizes): Shares => ({
  hard: spec.shares?.hard ?? sizes.hardShare,
  subtle: spec.shares?.subtle ?? sizes.subtleShare,
});

/** Every dataset of one concept (pure: no files written). */
export function generateConceptData(spec: ConceptSpec, seed: number, sizes: DatasetSizes = DEFAULT_SIZES): ConceptData {
  const world = createWorld(seed);
  const rng = (what: string) => createRng(deriveSeed(seed, spec.name, what));
  const pairs = makePairs(spec, world, rng("pairs"), sizes.pairs);
  const { name, axis, definition, rubric, positive_label, negative_label } = spec;
  const systemPrompts = systemPromptSplit(spec, seed);
  const shares = conceptShares(spec, sizes);
  return {
    meta: { name, axis, definition, rubric, positive_label, negative_label, files: { ...FILE_NAMES } },
    pairs,
    ab: makeAb(pairs, rng("ab")),
    prompts: heldOutPrompts(spec, world).map((user) => ({ user })),
    detector_train: makeLabelled(spec, world, rng("detector_train"), "train", sizes.detectorTrain, shares),
    detector_test: makeLabelled(spec, world, rng("detector_test"), "test", sizes.detectorTest, shares),
    judge_train: makeLabelled(spec, world, rng("judge_train"), "judge", sizes.judgeTrain, shares),
    baseline: systemPrompts.baseline.map((system) => ({ system })),
    judge_instructions: systemPrompts.judge.map((system) => ({ system })),
  };
}

export interface BuildOptions {
  seed: number;
  /** Folder receiving <name>.json and <name>/*.jsonl (normally data/concepts). */
  outDir: string;
  /** Default: every embedded concept. */
  concepts?: readonly string[];
  sizes?: DatasetSizes;
}

/** Generate and write (atomically) the concept files. Returns the paths written. */
export function buildConceptData(opts: BuildOptions): string[] {
  const specs = opts.concepts ? opts.concepts.map(conceptSpec) : CONCEPT_SPECS;
  const bar = progress("build-data", specs.length);
  const written: string[] = [];
  for (const spec of specs) {
    bar.label(spec.name);
    const data = generateConceptData(spec, opts.seed, opts.sizes);
    for (const key of Object.keys(FILE_NAMES) as (keyof typeof FILE_NAMES)[]) {
      const path = join(opts.outDir, spec.name, FILE_NAMES[key]);
      writeJsonlAtomic(path, data[key]);
      written.push(path);
    }
    const metaPath = join(opts.outDir, `${spec.name}.json`);
    writeJsonAtomic(metaPath, data.meta);
    written.push(metaPath);
    bar.tick();
  }
  bar.done();
  return written;
}

