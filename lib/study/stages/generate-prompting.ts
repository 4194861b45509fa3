import type { Replacement } from "../../detect/index";
import { encodePrompts, type Engine, type Generation } from "../../engine/index";
import { deriveSeed } from "../../util/index";
import type { SamplingSettings, StoredGenerations } from "./handles";

/**
 * The prompting baseline: generations for the concept's held-out prompts, each with one of the concept's
 * baseline instructions as the system prompt (cycled), no steering, under the same sampling settings and
 * per-sample seeds as the steered configurations (sample i uses prompt i mod #prompts and the same seed).
 */
export interface PromptingRequest {
  engine: Engine;
  concept: string;
  prompts: readonly string[];
  systems: readonly string[];
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
  if (req.systems.length === 0) throw new Error(`${req.concept}: no baseline instructions (baseline.jsonl is empty)`);
  const { prompts, seeds } = sampleAssignment(req.concept, req.prompts, req.samples, req.seed);
  const systems = prompts.map((_, i) => req.systems[i % req.systems.length]);
  const ids = prompts.map((p, i) => encodePrompts(req.engine.model, [p], { chat: true, system: systems[i] })[0]);
  const gens = await req.engine.generate(ids, { ...req.sampling, seeds, batchSize: 64 });
  const texts = gens.map((g) => g.text ?? "");
  return {
    source: "prompting",
    prompts,
    texts,
    finishes: gens.map((g) => g.finish),
    items: texts.map((text, k) => ({ user: prompts[k], text, provenance: { config: `${req.concept}__prompting`, sample: k, seed: seeds[k], system: systems[k] } })),
  };
}

/** The prompting baseline as the study stores it. */
export async function promptingGenerations(req: PromptingRequest): Promise<StoredGenerations> {
  const p = await generatePrompting(req);
  return { prompts: p.prompts, seeds: p.items.map((x) => x.provenance.seed as number), texts: p.texts, systems: p.items.map((x) => x.provenance.system as string) };
}
