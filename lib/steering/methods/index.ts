import { ACTADD, actadd, type ActAddOptions } from "./actadd";
import { CAA, caa } from "./caa";
import { ITI, iti, type ItiOptions } from "./iti";
import { PCA, pca, type PcaOptions } from "./pca";
import { PROBE, probe, type ProbeOptions } from "./probe";
import type { MethodDescriptor, SteeringMethod } from "./types";

export * from "./types";
export { actadd, caa, iti, pca, probe, ACTADD, CAA, ITI, PCA, PROBE };
export type { ActAddOptions, ItiOptions, PcaOptions, ProbeOptions };

/**
 * The built-in methods, in the order figures list them. Everything that enumerates methods (study config
 * names, `extract --method` and its flags, figure order and colours) reads this list, extended by any
 * descriptors the caller passes.
 */
export const METHODS: readonly MethodDescriptor[] = [ACTADD, CAA, PCA, ITI, PROBE];

export const METHOD_NAMES: readonly string[] = METHODS.map((d) => d.name);

/** Options per method name, e.g. { iti: { topK: 8 } }: each method reads its own entry. */
export type MethodOptions = Record<string, Record<string, unknown> | undefined>;

/** The descriptor of a method by name, among the built-ins and `extra` (user descriptors; an extra one may not reuse a name). */
export function methodDescriptor(name: string, extra: readonly MethodDescriptor[] = []): MethodDescriptor {
  const all = methodRegistry(extra);
  const d = all.find((m) => m.name === name);
  if (!d) throw new Error(`unknown steering method ${JSON.stringify(name)} (expected one of ${all.map((m) => m.name).join(", ")})`);
  return d;
}

/** The built-ins followed by `extra`; a name used twice is an error. */
export function methodRegistry(extra: readonly MethodDescriptor[] = []): readonly MethodDescriptor[] {
  const all = [...METHODS, ...extra];
  const seen = new Set<string>();
  for (const d of all) {
    if (seen.has(d.name)) throw new Error(`steering method ${JSON.stringify(d.name)} is registered twice`);
    seen.add(d.name);
  }
  return all;
}

/** A method by name, built with its entry of `options`. */
export function createMethod(name: string, options: MethodOptions = {}, extra: readonly MethodDescriptor[] = []): SteeringMethod {
  return methodDescriptor(name, extra).create(options[name]);
}
