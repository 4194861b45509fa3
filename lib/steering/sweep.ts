import type { SampleSteering } from "../engine/index";
import { lowerSpec, type SteeringSpec } from "./spec";

/** One sample of a sweep batch: which prompt, at which strength multiplier. */
export interface SweepCell {
  prompt: number;
  strength: number;
}

export interface SweepBatch {
  /** Prompt-major: every strength of prompt 0, then of prompt 1, ... */
  ids: number[][];
  steering: (SampleSteering | null)[];
  cells: SweepCell[];
}

/**
 * A strength sweep as one batch: prompts × strengths with per-sample vectors, instead of one run per strength.
 * Pass `ids` and `steering` to engine.forward / engine.generate; `cells[i]` says what sample i is.
 */
export function buildSweep(prompts: readonly (readonly number[])[], strengths: readonly number[], spec: SteeringSpec): SweepBatch {
  if (prompts.length === 0) throw new Error("buildSweep: no prompts");
  if (strengths.length === 0) throw new Error("buildSweep: no strengths");
  const cells = prompts.flatMap((_, prompt) => strengths.map((strength) => ({ prompt, strength })));
  return {
    ids: cells.map((c) => prompts[c.prompt].slice()),
    steering: lowerSpec(spec, cells.map((c) => c.strength)),
    cells,
  };
}
