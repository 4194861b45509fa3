import { fitLogistic, accuracy } from "../../math/index";
import { residualMethod, type MethodDescriptor, type SteeringMethod } from "./types";

export interface ProbeOptions {
  /** L2 penalty of the logistic regression (on standardised features). Default 1e-2. */
  l2?: number;
}

/**
 * Logistic-probe direction at resid_post: the weight vector of a logistic regression separating positive
 * (label 1) from negative (label 0) activations. Training accuracy is recorded (held-out accuracy per layer
 * is what lib/steering/layers.ts reports).
 */
export function probe(opts: ProbeOptions = {}): SteeringMethod {
  const l2 = opts.l2 ?? 1e-2;
  return residualMethod("probe", { l2 }, (acts) => {
    const x = new Float32Array(2 * acts.n * acts.width);
    x.set(acts.positive, 0);
    x.set(acts.negative, acts.n * acts.width);
    const y = Array.from({ length: 2 * acts.n }, (_, i) => (i < acts.n ? 1 : 0));
    const model = fitLogistic(x, y, acts.width, { l2 });
    return { d: model.w, info: { trainAccuracy: accuracy(model, x, y, acts.width) } };
  });
}

export const PROBE: MethodDescriptor<ProbeOptions> = { name: "probe", create: probe, window: null, color: "#9467bd", flags: [] };
