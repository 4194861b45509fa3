import { encodePrompts, type Engine, type SteerWindow } from "../../engine/index";
import { buildSweep, type SteeringVector } from "../../steering/index";
import { sampleAssignment } from "./generate-prompting";
import type { SamplingSettings, StoredGenerations } from "./handles";

/**
 * Stage 3, generate (steered): a group's strength sweep. Sample i gets the same prompt and seed as sample i of
 * the prompting baseline (sampleAssignment), so steered and prompted texts differ only by the steering or the
 * instruction (common random numbers).
 */
export interface SteeredRequest {
  engine: Engine;
  concept: string;
  prompts: readonly string[];
  samples: number;
  seed: number;
  sampling: SamplingSettings;
  /** Steered at every layer it holds (one for the resid_post methods: the group's). */
  vector: SteeringVector;
  strengths: readonly number[];
  /** The method's window (its descriptor's, else the config's sampling.window). */
  window: SteerWindow;
}

/** A group's whole strength sweep in one batch: every prompt at every strength, common per-sample seeds. */
export async function generateSteered(req: SteeredRequest): Promise<StoredGenerations> {
  const { prompts, seeds } = sampleAssignment(req.concept, req.prompts, req.samples, req.seed);
  const ids = encodePrompts(req.engine.model, prompts, { chat: true });
  const sweep = buildSweep(ids, req.strengths, { terms: [{ vector: req.vector }], window: req.window });
  const out = await req.engine.generate(sweep.ids, {
    ...req.sampling, batchSize: 64, seeds: sweep.cells.map((cell) => seeds[cell.prompt]), steering: sweep.steering,
  });
  return {
    prompts: sweep.cells.map((cell) => prompts[cell.prompt]),
    seeds: sweep.cells.map((cell) => seeds[cell.prompt]),
    texts: out.map((g) => g.text ?? ""),
    strengths: sweep.cells.map((cell) => cell.strength),
  };
}
