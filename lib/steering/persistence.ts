import { existsSync, readFileSync } from "node:fs";
import { readSafetensors, writeSafetensors } from "../checkpoint/index";
import { writeJsonAtomic } from "../util/index";
import { fromProvenance, parseProvenance, toProvenance } from "./provenance";
import type { ModelSpec, TensorF32 } from "../arch/index";
import { checkCompatible, createVector, modelIdentity, type ModelIdentity, type SteeringVector } from "./vector";

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
  const raw = provenanceText(file, metadata);
  if (raw === null) throw new Error(`${file}: no provenance (neither __metadata__.steersynth nor ${provenancePath(file)})`);
  const v = withProvenance(file, tensors, raw);
  if (model) checkCompatible(v, model, file);
  return v;
}

/**
 * The one way from a vector file to steering, shared by the study, the notebooks and the CLI (generate,
 * hidden): a steersynth vector is read with its provenance, whose site decides where it is added (resid_post,
 * or attn_out heads for ITI); a file without provenance — float32 `direction.<layer>` [hidden] tensors from
 * another tool — is an explicit import at resid_post (method "import"). Either way it must fit the model.
 */
export function readVectorFile(file: string, spec: ModelSpec): SteeringVector {
  if (!existsSync(file)) throw new Error(`${file}: no such vector file`);
  const { tensors, metadata } = readSafetensors(file);
  const raw = provenanceText(file, metadata);
  if (raw !== null) {
    const v = withProvenance(file, tensors, raw);
    checkCompatible(v, spec, file);
    return v;
  }
  const directions = directionTensors(file, tensors);
  for (const [layer, d] of directions) {
    if (layer >= spec.nLayers) throw new Error(`${file}: 'direction.${layer}' names layer ${layer}, but the model has layers 0..${spec.nLayers - 1}`);
    if (d.length !== spec.hidden) throw new Error(`${file}: 'direction.${layer}' has shape [${d.length}], expected [${spec.hidden}] (the model's hidden size; a file without provenance is added at resid_post)`);
  }
  if (directions.size === 0) throw new Error(`${file}: no direction.<layer> tensors`);
  return createVector({ model: modelIdentity("imported", spec), site: "resid_post", method: "import", directions, details: { importedFrom: file } });
}

/** The provenance JSON text: the safetensors metadata copy, else V.json beside the file; null when neither exists. */
function provenanceText(file: string, metadata: Record<string, string>): string | null {
  if (metadata.steersynth !== undefined) return metadata.steersynth;
  return existsSync(provenancePath(file)) ? readFileSync(provenancePath(file), "utf8") : null;
}

/** layer → tensor of every `direction.<layer>`; any other tensor, or one of more than one dimension, is an error. */
function directionTensors(file: string, tensors: ReadonlyMap<string, TensorF32>): Map<number, Float32Array> {
  const directions = new Map<number, Float32Array>();
  for (const [name, t] of tensors) {
    const m = TENSOR.exec(name);
    if (!m) throw new Error(`${file}: unexpected tensor '${name}' (expected direction.<layer>)`);
    if (t.shape.length !== 1) throw new Error(`${file}: tensor '${name}' has shape [${t.shape}], expected one dimension`);
    directions.set(Number(m[1]), t.data);
  }
  return directions;
}

function withProvenance(file: string, tensors: ReadonlyMap<string, TensorF32>, raw: string): SteeringVector {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${file}: provenance is not valid JSON (${(e as Error).message})`);
  }
  return fromProvenance(parseProvenance(json, file), directionTensors(file, tensors), file);
}
