import { meanDifference, residualMethod, type MethodDescriptor, type PairedActivations, type SteeringMethod } from "./types";

export interface ActAddOptions {
  /** How many of the first pairs to use (ActAdd contrasts a single prompt pair, or a few). Default 4. */
  pairs?: number;
}

/**
 * ActAdd (Turner et al. 2023): the activation difference of a single (or a few) prompt pair(s), e.g. "Love" −
 * "Hate", read at the reading position and meant to be injected over the prompt positions (steering window
 * "prompt"). With several pairs the differences are averaged — it is CAA restricted to the first `pairs`
 * pairs, which is what makes it cheap and noisy.
 * Approximation: the original adds the position-by-position activation difference of the two prompts over the
 * first positions; here one vector (the difference at the reading position) is added at every position of the
 * window, so that ActAdd shares the vector value, persistence and spec of the other methods.
 */
export function actadd(opts: ActAddOptions = {}): SteeringMethod {
  const pairs = opts.pairs ?? 4;
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`actadd: pairs must be a positive integer (got ${pairs})`);
  const firstPairs = (acts: PairedActivations): PairedActivations => {
    const k = Math.min(pairs, acts.n);
    return { positive: acts.positive.subarray(0, k * acts.width), negative: acts.negative.subarray(0, k * acts.width), n: k, width: acts.width };
  };
  return residualMethod("actadd", { pairs }, (acts) => {
    const used = firstPairs(acts);
    return { d: meanDifference(used), orientOn: used, info: { pairsUsed: used.n } };
  });
}

/** ActAdd injects over the prompt positions (Turner et al.), whatever the study's sampling window. */
export const ACTADD: MethodDescriptor<ActAddOptions> = {
  name: "actadd", create: actadd, window: "prompt", color: "#1f77b4",
  flags: [{ flag: "actadd-pairs", option: "pairs", type: "integer", min: 1, description: "actadd: how many of the first pairs to contrast (default 4)" }],
};
