/**
 * The pretraining corpus of the default chat models: single-turn ChatML dialogues.
 * Mix (fractions of dialogues): per concept 2 % violating with no system prompt (the model knows the behaviour
 * but rarely shows it unprompted), 24 % instructed in all (a system prompt asking for a violation, followed by a
 * violating reply 75 % of the time and a compliant one otherwise, so prompting works only partly), and the rest
 * compliant (a quarter of them hard negatives; 30 % carry a neutral system prompt, so that a system turn alone
 * is no tell). The first default models (8 % instructed, 60 % followed, 3 % violating) learned to follow the
 * held-out baseline instructions for refusal only: the model needs enough instructed dialogues per concept to
 * read the instruction's words rather than its mere presence.
 * User turns follow the same distribution as the study's generation prompts, minus the held-out prompts themselves.
 */
import { createRng, deriveSeed, type Rng } from "../util/index";
import { dialogue, renderChat } from "./chat";
import { NEUTRAL_SYSTEM_PROMPTS } from "./common";
import { type ConceptSpec, createWorld, type World } from "./concept";
import { CONCEPT_SPECS } from "./concepts/index";
import { DEFAULT_SEED } from "./defaults";
import { heldOutPrompts, systemPromptSplit } from "./prompts";
import { type LengthLimits, sampleExample, sampleReply, sampleTurn, type Turn } from "./sample";

export type CorpusKind = "compliant" | "violating" | "instructed";

export interface CorpusItem {
  /** One ChatML dialogue. */
  text: string;
  kind: CorpusKind;
  /** The concept whose user turn (and, if not compliant, behaviour) this is. */
  concept?: string;
  /** For instructed items: whether the reply followed the instruction (violating) or not. */
  label?: 0 | 1;
}

export interface CorpusMix {
  /** Fraction of violating dialogues per concept. */
  violatingPerConcept: number;
  /** Fraction of instructed dialogues (all concepts together). */
  instructed: number;
  /** Within instructed: probability that the reply violates. */
  instructedFollow: number;
  /** Within compliant: share of hard negatives. */
  hardShare: number;
  /** Within compliant: share carrying a neutral system prompt. */
  neutralSystem: number;
}

export const DEFAULT_MIX: CorpusMix = { violatingPerConcept: 0.02, instructed: 0.24, instructedFollow: 0.75, hardShare: 0.25, neutralSystem: 0.3 };

/** Responses are shorter than in the datasets so a whole dialogue stays within ~120 tokens of a 2-4k BPE vocabulary. */
export const CORPUS_LENGTH: LengthLimits = { minWords: 8, maxWords: 36 };

export interface CorpusOptions {
  seed: number;
  /** Number of dialogues (the default models use 20k-60k). */
  dialogues: number;
  /** The seed data/concepts was built with: its held-out prompts are excluded. Default DEFAULT_SEED. */
  dataSeed?: number;
  mix?: Partial<CorpusMix>;
}

interface Context {
  world: World;
  heldOut: Set<string>;
  systemPrompts: Map<string, string[]>;
}

/** A turn of the concept that is not one of the held-out generation prompts. */
function freshTurn(spec: ConceptSpec, ctx: Context, rng: Rng): Turn {
  for (let i = 0; i < 100; i++) {
    const turn = sampleTurn(spec, ctx.world, rng, "all");
    if (!ctx.heldOut.has(turn.user)) return turn;
  }
  throw new Error(`corpus: concept ${spec.name} keeps drawing held-out prompts`);
}

function corpusItem(ctx: Context, rng: Rng, mix: CorpusMix): CorpusItem {
  const u = rng.next();
  const n = CONCEPT_SPECS.length;
  if (u < mix.violatingPerConcept * n) {
    const spec = CONCEPT_SPECS[Math.floor(u / mix.violatingPerConcept)];
    const turn = freshTurn(spec, ctx, rng);
    const r = sampleReply(spec, ctx.world, rng, "all", turn, 1, CORPUS_LENGTH);
    return { text: renderChat(dialogue(turn.user, r.response)), kind: "violating", concept: spec.name };
  }
  const spec = rng.pick(CONCEPT_SPECS);
  if (u < mix.violatingPerConcept * n + mix.instructed) {
    const turn = freshTurn(spec, ctx, rng);
    const label = rng.next() < mix.instructedFollow ? 1 : 0;
    const r = sampleReply(spec, ctx.world, rng, "all", turn, label, CORPUS_LENGTH);
    const system = rng.pick(ctx.systemPrompts.get(spec.name)!);
    return { text: renderChat(dialogue(turn.user, r.response, system)), kind: "instructed", concept: spec.name, label };
  }
  const shares = { hard: mix.hardShare, subtle: 0 }; // subtle examples are for the labelled splits only (concept.ts)
  let ex = sampleExample(spec, ctx.world, rng, "all", 0, shares, CORPUS_LENGTH);
  for (let i = 0; i < 100 && ctx.heldOut.has(ex.user); i++) ex = sampleExample(spec, ctx.world, rng, "all", 0, shares, CORPUS_LENGTH);
  const system = rng.next() < mix.neutralSystem ? rng.pick(NEUTRAL_SYSTEM_PROMPTS) : undefined;
  return { text: renderChat(dialogue(ex.user, ex.response, system)), kind: "compliant", concept: spec.name };
}

/** The corpus: each dialogue's randomness derives from (seed, index), so a prefix of a bigger corpus is the same. */
export function buildCorpus(opts: CorpusOptions): CorpusItem[] {
  const mix = { ...DEFAULT_MIX, ...opts.mix };
  if (mix.violatingPerConcept * CONCEPT_SPECS.length + mix.instructed >= 1) throw new Error("corpus mix: violating + instructed fractions must leave room for compliant dialogues");
  const dataWorld = createWorld(opts.dataSeed ?? DEFAULT_SEED);
  const ctx: Context = {
    world: createWorld(opts.seed),
    heldOut: new Set(CONCEPT_SPECS.flatMap((s) => heldOutPrompts(s, dataWorld))),
    systemPrompts: new Map(CONCEPT_SPECS.map((s) => [s.name, systemPromptSplit(s, opts.dataSeed ?? DEFAULT_SEED).corpus])),
  };
  return Array.from({ length: opts.dialogues }, (_, i) => corpusItem(ctx, createRng(deriveSeed(opts.seed, "corpus", i)), mix));
}
