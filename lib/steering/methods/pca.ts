import { meanRows, principalAxis, subtractFromRows } from "../../math/index";
import { pairDifferences, residualMethod, type MethodDescriptor, type SteeringMethod } from "./types";

export interface PcaOptions {
  /**
   * false (default): the first principal axis of the paired differences themselves (uncentred — RepE's reading
   * vector; the same axis as repeng's "pca_center", whose rows are ±difference/2).
   * true: of the differences minus their mean (what repeng's "pca_diff" computes through sklearn's PCA, which
   * centres): it finds the axis along which the *size* of the difference varies across pairs.
   */
  centred?: boolean;
}

/** RepE PCA (Zou et al. 2023): first principal component of paired differences, signed so positives project higher. */
export function pca(opts: PcaOptions = {}): SteeringMethod {
  const centred = opts.centred ?? false;
  return residualMethod("pca", { centred }, (acts) => {
    let diffs = pairDifferences(acts);
    if (centred) diffs = subtractFromRows(diffs, acts.width, meanRows(diffs, acts.width));
    return { d: principalAxis(diffs, acts.width) };
  });
}

export const PCA: MethodDescriptor<PcaOptions> = {
  name: "pca", create: pca, window: null, color: "#2ca02c",
  flags: [{ flag: "centred", option: "centred", type: "boolean", description: "pca: principal axis of the mean-centred differences (repeng's pca_diff) instead of the raw differences" }],
};
