import { meanDifference, residualMethod, type MethodDescriptor, type SteeringMethod } from "./types";

/**
 * CAA / mean difference (Rimsky et al. 2024): d = mean over pairs of (positive − negative) at resid_post,
 * i.e. mean(positive) − mean(negative).
 */
export const caa = (): SteeringMethod => residualMethod("caa", {}, (acts) => ({ d: meanDifference(acts) }));

export const CAA: MethodDescriptor = { name: "caa", create: caa, window: null, color: "#ff7f0e", flags: [] };
