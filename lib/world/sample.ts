/**
 * Sampling from a concept: user turns, violating/compliant replies and hard negatives, each from one split's
 * partition of templates, vocabulary and entities. Replies are a core template (the behaviour) lengthened by
 * optional opener, extra sentences and closer, so lengths run from ~10 to ~60 words and structure varies.
 */
import type { Rng } from "../util/index";
import { commonSlots } from "./common";
import type { ConceptSpec, Drawn, Kind, Label, Shares, SubtleKind, World } from "./concept";
import { type Partition, PARTITIONS, RESPONSE_PARTITIONS, type Split } from "./partition";
import { capitalize, fill, type Slots, type Template, wordCount } from "./template";

export interface Turn {
  concept: string;
  kind: string;
  user: string;
  entity: string;
  drawn: Drawn;
  /** Every slot value of this turn (entity, people, vocabulary), reused by its replies. */
  slots: Slots;
}

export interface Example {
  user: string;
  response: string;
  label: Label;
  /** Id of the response's core template. */
  template: string;
  entity: string;
  /** True for hard negatives. */
  hard: boolean;
  /** True for subtle examples of either label (concept.ts, SubtleKind). */
  subtle: boolean;
}

export interface LengthLimits {
  minWords: number;
  maxWords: number;
}

export const DATASET_LENGTH: LengthLimits = { minWords: 10, maxWords: 60 };

const capitalizeSentences = (s: string): string => capitalize(s).replace(/([.!?] )([a-z])/g, (_, p: string, c: string) => p + c.toUpperCase());

/**
 * The split's share of some templates. Each id-prefix group ("toxicity/user") is partitioned on its own, so a
 * list that concatenates groups sees exactly the same partition of each group as the groups alone do.
 */
function pool(world: World, group: readonly Template[], split: Split, parts: readonly Partition[] = RESPONSE_PARTITIONS): Template[] {
  const byPrefix = new Map<string, Template[]>();
  for (const t of group) {
    const key = t.id.slice(0, t.id.lastIndexOf("/"));
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), t]);
  }
  return [...byPrefix].flatMap(([key, items]) => world.parts.view(key, items, split, parts));
}

function turnFrom(spec: ConceptSpec, world: World, rng: Rng, split: Split, kind: string, drawn: Drawn, users: readonly Template[]): Turn {
  const slots: Slots = { ...commonSlots(rng, world, split), ...drawn.slots };
  const tpl = rng.pick(pool(world, users, split, PARTITIONS));
  return { concept: spec.name, kind, user: capitalizeSentences(fill(tpl.text, slots, tpl.id)), entity: drawn.entity, drawn, slots };
}

/** A user turn of one of the concept's kinds (uniform over kinds unless `kindId` is given). */
export function sampleTurn(spec: ConceptSpec, world: World, rng: Rng, split: Split, kindId?: string): Turn {
  const kind: Kind = kindId ? findKind(spec, kindId) : rng.pick(spec.kinds);
  return turnFrom(spec, world, rng, split, kind.id, kind.draw(rng, world, split), kind.users);
}

function findKind(spec: ConceptSpec, id: string): Kind {
  const k = spec.kinds.find((x) => x.id === id);
  if (!k) throw new Error(`concept ${spec.name} has no kind '${id}' (kinds: ${spec.kinds.map((x) => x.id).join(", ")})`);
  return k;
}

/** Lengthen `core` with an optional opener, extra sentences and closer toward a random target length. */
function compose(rng: Rng, core: string, opener: string, closer: string, extras: readonly string[], limits: LengthLimits): string {
  const target = limits.minWords + rng.int(limits.maxWords - limits.minWords + 1);
  const parts = [core];
  let words = wordCount(core);
  const fits = (s: string) => words + wordCount(s) <= limits.maxWords;
  if (rng.next() < 0.4 && fits(opener)) { parts.unshift(opener); words += wordCount(opener); }
  for (const extra of rng.shuffle(extras).slice(0, 3)) {
    if (words >= limits.minWords && words >= target - 4) break;
    if (!fits(extra)) continue;
    parts.push(extra);
    words += wordCount(extra);
  }
  if ((words < limits.minWords || (words < target && rng.next() < 0.6)) && fits(closer)) parts.push(closer);
  return capitalizeSentences(parts.join(" "));
}

/** Where a reply's extra sentences come from: a class's own (the topic's tips where the concept has none), the tips, or none. */
type ExtrasSource = "violating" | "compliant" | "tips" | "none";

function extrasFor(spec: ConceptSpec, world: World, rng: Rng, split: Split, turn: Turn, source: ExtrasSource): string[] {
  if (source === "none") return [];
  const own = source === "tips" ? undefined : spec.extras?.[source];
  // Each extra sentence gets its own year and number (one invented story does not repeat the same date).
  if (own && own.length) return pool(world, own, split).map((t) => fill(t.text, { ...turn.slots, year2: String(1800 + rng.int(225)), number: String(2 + rng.int(97)) }, t.id));
  return turn.drawn.topic ? turn.drawn.topic.tips.slice() : [];
}

/** How a reply is framed: whose openers and closers, and where its extra sentences come from. */
interface Frame {
  words: "violating" | "compliant";
  extras: ExtrasSource;
}

function reply(spec: ConceptSpec, world: World, rng: Rng, split: Split, turn: Turn, core: Template, frame: Frame, limits: LengthLimits): string {
  const slots = { ...turn.slots, ...(spec.vocab ? spec.vocab(rng, world, split) : {}) };
  const filledTurn = { ...turn, slots };
  const opener = rng.pick(pool(world, spec.openers[frame.words], split));
  const closer = rng.pick(pool(world, spec.closers[frame.words], split));
  return compose(rng, fill(core.text, slots, core.id), fill(opener.text, slots, opener.id), fill(closer.text, slots, closer.id),
    extrasFor(spec, world, rng, split, filledTurn, frame.extras), limits);
}

/** A violating (label 1) or compliant (label 0) reply to `turn`. */
export function sampleReply(spec: ConceptSpec, world: World, rng: Rng, split: Split, turn: Turn, label: Label, limits = DATASET_LENGTH): { response: string; template: string } {
  const kind = findKind(spec, turn.kind);
  const cls = label === 1 ? "violating" : "compliant";
  const core = rng.pick(pool(world, label === 1 ? kind.violating : kind.compliant, split));
  return { response: reply(spec, world, rng, split, turn, core, { words: cls, extras: cls }, limits), template: core.id };
}

/** A hard negative: a compliant example that resembles the violation on the surface. */
export function sampleHardNegative(spec: ConceptSpec, world: World, rng: Rng, split: Split, limits = DATASET_LENGTH): Example {
  const hard = rng.pick(spec.hard);
  const turn = turnFrom(spec, world, rng, split, hard.id, hard.draw(rng, world, split), hard.users);
  const core = rng.pick(pool(world, hard.replies, split));
  return { user: turn.user, response: reply(spec, world, rng, split, turn, core, { words: "compliant", extras: "tips" }, limits), label: 0, template: core.id, entity: turn.entity, hard: true, subtle: false };
}

/** A subtle example of class `label` (concept.ts, SubtleKind): its deciding core in a compliant frame. */
export function sampleSubtle(spec: ConceptSpec, world: World, rng: Rng, split: Split, label: Label, limits = DATASET_LENGTH): Example {
  const kinds = subtleKinds(spec, label);
  if (!kinds.length) throw new Error(`concept ${spec.name} has no subtle kinds of label ${label} (ConceptSpec.subtle)`);
  const kind = rng.pick(kinds);
  const turn = turnFrom(spec, world, rng, split, kind.id, kind.draw(rng, world, split), kind.users);
  const core = rng.pick(pool(world, kind.replies, split));
  return { user: turn.user, response: reply(spec, world, rng, split, turn, core, { words: "compliant", extras: kind.extras }, limits), label, template: core.id, entity: turn.entity, hard: false, subtle: true };
}

export const subtleKinds = (spec: ConceptSpec, label: Label): SubtleKind[] => (spec.subtle ?? []).filter((k) => k.label === label);

/**
 * One labelled example: label 1 a violating reply; label 0 a compliant reply, or with probability `shares.hard`
 * a hard negative; either, with probability `shares.subtle`, a subtle one of its class where the concept has
 * some.
 */
export function sampleExample(spec: ConceptSpec, world: World, rng: Rng, split: Split, label: Label, shares: Shares, limits = DATASET_LENGTH): Example {
  if (label === 0 && rng.next() < shares.hard) return sampleHardNegative(spec, world, rng, split, limits);
  // A class without subtle kinds draws nothing here, so its rows stay those of before subtle ones existed.
  if (shares.subtle > 0 && subtleKinds(spec, label).length && rng.next() < shares.subtle) return sampleSubtle(spec, world, rng, split, label, limits);
  const turn = sampleTurn(spec, world, rng, split);
  const r = sampleReply(spec, world, rng, split, turn, label, limits);
  return { user: turn.user, response: r.response, label, template: r.template, entity: turn.entity, hard: false, subtle: false };
}
