import { meanDifference, residualMethod, type SteeringMethod } from "./types";

/**
 * CAA / mean difference (Rimsky et al. 2024): d = mean over pairs of (positive − negative) at resid_post,
 * i.e. mean(positive) − mean(negative).
 */
export const caa = (): SteeringMethod => residualMethod("caa", {}, (acts) => ({ d: meanDifference(acts) }));
