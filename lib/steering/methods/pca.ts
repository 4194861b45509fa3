import { meanRows, principalAxis, subtractFromRows } from "../../math/linalg";
import { pairDifferences, residualMethod, type SteeringMethod } from "./types";

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
