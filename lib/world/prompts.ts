/**
 * The two pieces of concept data the corpus must know about: which baseline system prompts are held out from
 * pretraining, and which user turns are the held-out generation prompts (kept out of the corpus verbatim).
 */
import { createRng, deriveSeed } from "../util/index";
import type { ConceptSpec, World } from "./concept";
import { sampleTurn } from "./sample";

/** How many held-out generation prompts each concept gets. */
export const PROMPT_COUNT = 120;
/** Fewer distinct prompts than this means the world's prompt partition is too small: an error. */
export const MIN_PROMPTS = 100;
/** Baseline phrasings the corpus also contains, so that prompting works partly (as with real models). */
export const BASELINE_OVERLAP = 2;

/**
 * Half of a concept's violation-asking system prompts go to baseline.jsonl (the prompting baseline), the other
 * half only into the pretraining corpus, plus BASELINE_OVERLAP of the baseline ones. The corpus-only half is
 * also the success judge's judge_instructions.jsonl: phrasings the models learned to follow, none of which the
 * prompting baseline generates with (the judge reads how much likelier an instruction makes a response, and a
 * response sampled under that very instruction would be favoured for having been sampled there).
 */
export function systemPromptSplit(spec: ConceptSpec, seed: number): { baseline: string[]; corpus: string[]; judge: string[] } {
  const shuffled = createRng(deriveSeed(seed, spec.name, "system-prompts")).shuffle(spec.systemPrompts);
  const half = Math.ceil(shuffled.length / 2);
  const baseline = shuffled.slice(0, half);
  return { baseline, corpus: [...shuffled.slice(half), ...baseline.slice(0, BASELINE_OVERLAP)], judge: shuffled.slice(half) };
}

/** Distinct user turns from the "prompts" partition (disjoint from the pairs' templates and entities). */
export function heldOutPrompts(spec: ConceptSpec, world: World, count = PROMPT_COUNT): string[] {
  const rng = createRng(deriveSeed(world.seed, spec.name, "prompts"));
  const seen = new Set<string>();
  for (let attempt = 0; seen.size < count && attempt < count * 50; attempt++) seen.add(sampleTurn(spec, world, rng, "prompts").user);
  if (seen.size < MIN_PROMPTS) throw new Error(`concept ${spec.name}: only ${seen.size} distinct held-out prompts (need ${MIN_PROMPTS}); the world's prompt partition is too small`);
  return [...seen];
}
