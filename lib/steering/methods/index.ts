import { actadd, type ActAddOptions } from "./actadd";
import { caa } from "./caa";
import { iti, type ItiOptions } from "./iti";
import { pca, type PcaOptions } from "./pca";
import { probe, type ProbeOptions } from "./probe";
import { METHOD_NAMES, type MethodName, type SteeringMethod } from "./types";

export * from "./types";
export { actadd, caa, iti, pca, probe };
export type { ActAddOptions, ItiOptions, PcaOptions, ProbeOptions };

export interface MethodOptions {
  actadd?: ActAddOptions;
  pca?: PcaOptions;
  iti?: ItiOptions;
  probe?: ProbeOptions;
}

/** A built-in method by name. */
export function createMethod(name: MethodName, options: MethodOptions = {}): SteeringMethod {
  switch (name) {
    case "actadd": return actadd(options.actadd);
    case "caa": return caa();
    case "pca": return pca(options.pca);
    case "iti": return iti(options.iti);
    case "probe": return probe(options.probe);
    default: throw new Error(`unknown steering method ${JSON.stringify(name)} (expected one of ${METHOD_NAMES.join(", ")})`);
  }
}
