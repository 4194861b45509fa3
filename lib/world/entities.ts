/**
 * The world's entities as flat pools (one item per entity, with its topic), so that partitions split
 * entities across all topics evenly; and the invented entities of hallucination prompts, generated from the seed.
 */
import { createRng, deriveSeed } from "../util/index";
import { INVENTED_KINDS, type InventedKind, SYLLABLES } from "./vocab/names";
import { type Fact, type Mistake, type Topic, TOPICS } from "./vocab/topics";

export interface ThingEntity { topic: Topic; thing: string }
export interface TaskEntity { topic: Topic; task: string }
export interface FactEntity { topic: Topic; fact: Fact }
export interface MistakeEntity { topic: Topic; mistake: Mistake }
export interface InventedEntity { name: string; kind: InventedKind }

export const THINGS: readonly ThingEntity[] = TOPICS.flatMap((topic) => topic.things.map((thing) => ({ topic, thing })));
export const TASKS: readonly TaskEntity[] = TOPICS.flatMap((topic) => topic.tasks.map((task) => ({ topic, task })));
export const FACTS: readonly FactEntity[] = TOPICS.flatMap((topic) => topic.facts.map((fact) => ({ topic, fact })));
export const MISTAKES: readonly MistakeEntity[] = TOPICS.flatMap((topic) => topic.mistakes.map((mistake) => ({ topic, mistake })));

/** How many invented entities a world holds (split over the partitions like every other pool). */
export const INVENTED_COUNT = 480;

/** Pronounceable nonsense names ("Zorvelquin"), unique, each with a kind, derived from the seed. */
export function inventEntities(seed: number, count = INVENTED_COUNT): InventedEntity[] {
  const rng = createRng(deriveSeed(seed, "invented"));
  const seen = new Set<string>();
  const out: InventedEntity[] = [];
  while (out.length < count) {
    const n = 2 + rng.int(2);
    let name = "";
    for (let i = 0; i < n; i++) name += rng.pick(SYLLABLES);
    name = name.charAt(0).toUpperCase() + name.slice(1);
    if (name.length < 5 || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, kind: INVENTED_KINDS[out.length % INVENTED_KINDS.length] });
  }
  return out;
}
