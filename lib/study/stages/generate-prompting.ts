import type { Replacement } from "../../detect/index";
import { encodePrompts, type Engine, type Generation } from "../../engine/index";
import { deriveSeed } from "../../util/index";
import type { SamplingSettings, StoredGenerations } from "./handles";

/**
 * The generated baselines, no steering, under the same sampling settings and per-sample seeds as the steered
 * configurations (sample i uses prompt i mod #prompts and the same seed):
 *   prompting  each of the concept's held-out prompts with one of its baseline instructions as the system
 *              prompt (cycled);
 *   unsteered  the same prompts with no system prompt (`systems: null`): the model's own behaviour.
 */
export interface PromptingRequest {
  engine: Engine;
  concept: string;
  prompts: readonly string[];
  /** The baseline instructions, or null for the unsteered baseline. */
  systems: readonly string[] | null;
  samples: number;
  seed: number;
  sampling: SamplingSettings;
}

/** Sample i's prompt and seed: shared by steered and prompted generation (common random numbers). */
export function sampleAssignment(concept: string, prompts: readonly string[], samples: number, seed: number) {
  if (prompts.length === 0) throw new Error(`${concept}: no generation prompts`);
  const assigned = Array.from({ length: samples }, (_, i) => prompts[i % prompts.length]);
  return { prompts: assigned, seeds: assigned.map((_, i) => deriveSeed(seed, "generation", concept, i)) };
}

export async function generatePrompting(req: PromptingRequest): Promise<Replacement & { prompts: string[]; texts: string[]; finishes: Generation["finish"][] }> {
  const all = req.systems;
  if (all !== null && all.length === 0) throw new Error(`${req.concept}: no baseline instructions (baseline.jsonl is empty)`);
  const source = all === null ? "unsteered" : "prompting";
  const { prompts, seeds } = sampleAssignment(req.concept, req.prompts, req.samples, req.seed);
  const systems = prompts.map((_, i) => (all === null ? null : all[i % all.length]));
  const ids = prompts.map((p, i) => encodePrompts(req.engine.model, [p], { chat: true, ...(systems[i] !== null ? { system: systems[i]! } : {}) })[0]);
  const gens = await req.engine.generate(ids, { ...req.sampling, seeds, batchSize: 64 });
  const texts = gens.map((g) => g.text ?? "");
  return {
    source,
    prompts,
    texts,
    finishes: gens.map((g) => g.finish),
    items: texts.map((text, k) => ({ user: prompts[k], text, provenance: { config: `${req.concept}__${source}`, sample: k, seed: seeds[k], ...(systems[k] !== null ? { system: systems[k] } : {}) } })),
  };
}

/** A generated baseline (prompting or unsteered) as the study stores it. */
export async function promptingGenerations(req: PromptingRequest): Promise<StoredGenerations> {
  const p = await generatePrompting(req);
  return {
    prompts: p.prompts, seeds: p.items.map((x) => x.provenance.seed as number), texts: p.texts,
    ...(req.systems !== null ? { systems: p.items.map((x) => x.provenance.system as string) } : {}),
  };
}
