import { existsSync, readFileSync } from "node:fs";
import { readSafetensors, writeSafetensors } from "../checkpoint/safetensors";
import { writeJsonAtomic } from "../util/atomic";
import { fromProvenance, parseProvenance, toProvenance } from "./provenance";
import type { ModelSpec } from "../arch/spec";
import { checkCompatible, type ModelIdentity, type SteeringVector } from "./vector";

/**
 * Vectors on disk: V.safetensors holds one float32 tensor `direction.<layer>` per layer (0-based block index,
 * shape [width]) and, in its __metadata__ under "steersynth", the provenance JSON; V.json beside it holds the
 * same provenance, pretty-printed, for people and external tools. Loading reads the metadata copy, so the
 * .safetensors file alone is enough; V.json is used only for a file without it.
 */
export const provenancePath = (file: string): string => file.replace(/\.safetensors$/, "") + ".json";

const TENSOR = /^direction\.(\d+)$/;

export function saveVector(file: string, v: SteeringVector): void {
  if (!file.endsWith(".safetensors")) throw new Error(`${file}: a steering vector file must end in .safetensors`);
  const provenance = toProvenance(v);
  const tensors = Object.fromEntries([...v.directions].map(([l, d]) => [`direction.${l}`, { shape: [d.length], data: d }]));
  writeSafetensors(file, tensors, { steersynth: JSON.stringify(provenance) });
  writeJsonAtomic(provenancePath(file), provenance);
}

/** Read a vector; with `model`, a vector extracted for another hidden size, layer count or head layout is an error. */
export function loadVector(file: string, model?: ModelIdentity | ModelSpec): SteeringVector {
  if (!existsSync(file)) throw new Error(`${file}: no such steering vector file`);
  const { tensors, metadata } = readSafetensors(file);
  let raw: string;
  if (metadata.steersynth !== undefined) raw = metadata.steersynth;
  else if (existsSync(provenancePath(file))) raw = readFileSync(provenancePath(file), "utf8");
  else throw new Error(`${file}: no provenance (neither __metadata__.steersynth nor ${provenancePath(file)})`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${file}: provenance is not valid JSON (${(e as Error).message})`);
  }
  const directions = new Map<number, Float32Array>();
  for (const [name, t] of tensors) {
    const m = TENSOR.exec(name);
    if (!m) throw new Error(`${file}: unexpected tensor '${name}' (expected direction.<layer>)`);
    if (t.shape.length !== 1) throw new Error(`${file}: tensor '${name}' has shape [${t.shape}], expected one dimension`);
    directions.set(Number(m[1]), t.data);
  }
  const v = fromProvenance(parseProvenance(json, file), directions, file);
  if (model) checkCompatible(v, model, file);
  return v;
}
