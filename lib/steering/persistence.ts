import { existsSync, readFileSync } from "node:fs";
import { encodeSafetensors, readSafetensors } from "../checkpoint/index";
import { jsonText, writeFilesAtomic } from "../util/index";
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

/**
 * The layer of a `direction.<layer>` tensor name, or null for any other name. The layer is written in canonical
 * decimal (`direction.1`, never `direction.01` or `direction.+1`), so two names can never mean one layer.
 */
export function directionLayer(name: string): number | null {
  const m = /^direction\.(0|[1-9]\d{0,8})$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** The two files of a saved vector (V.safetensors and V.json), for writing together with other outputs. */
export function vectorFiles(file: string, v: SteeringVector): { path: string; data: string | Uint8Array }[] {
  if (!file.endsWith(".safetensors")) throw new Error(`${file}: a steering vector file must end in .safetensors`);
  const provenance = toProvenance(v);
  const tensors = Object.fromEntries([...v.directions].map(([l, d]) => [`direction.${l}`, { shape: [d.length], data: d }]));
  return [
    { path: file, data: encodeSafetensors(tensors, { steersynth: JSON.stringify(provenance) }) },
    { path: provenancePath(file), data: jsonText(provenance) },
  ];
}

/** Write V.safetensors and V.json as one output: both or neither. */
export const saveVector = (file: string, v: SteeringVector): void => writeFilesAtomic(vectorFiles(file, v));

/**
 * A vector file's tensors: only F32 `direction.<layer>` tensors of one dimension, checked on the header before
 * any data is read, and finite.
 */
function readDirectionFile(file: string): { tensors: Map<string, TensorF32>; metadata: Record<string, string> } {
  const read = readSafetensors(file, undefined, (name, e) => {
    if (directionLayer(name) === null) throw new Error(`${file}: unexpected tensor '${name}' (expected direction.<layer>, the layer in plain decimal)`);
    if (e.dtype !== "F32") throw new Error(`${file}: '${name}' is ${e.dtype}; vector files hold float32 (F32) tensors`);
    if (e.shape.length !== 1) throw new Error(`${file}: tensor '${name}' has shape [${e.shape}], expected one dimension`);
  });
  for (const [name, t] of read.tensors) {
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${file}: '${name}' holds a non-finite value (${t.data[bad]} at index ${bad})`);
  }
  return read;
}

/** Read a vector; with `model`, a vector extracted for another hidden size, layer count or head layout is an error. */
export function loadVector(file: string, model?: ModelIdentity | ModelSpec): SteeringVector {
  if (!existsSync(file)) throw new Error(`${file}: no such steering vector file`);
  const { tensors, metadata } = readDirectionFile(file);
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
  const { tensors, metadata } = readDirectionFile(file);
  const raw = provenanceText(file, metadata);
  if (raw !== null) {
    const v = withProvenance(file, tensors, raw);
    checkCompatible(v, spec, file);
    return v;
  }
  const directions = directionTensors(tensors);
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

/** layer → tensor of every `direction.<layer>` (names, dtypes and shapes were checked by readDirectionFile). */
function directionTensors(tensors: ReadonlyMap<string, TensorF32>): Map<number, Float32Array> {
  return new Map([...tensors].map(([name, t]) => [directionLayer(name)!, t.data]));
}

function withProvenance(file: string, tensors: ReadonlyMap<string, TensorF32>, raw: string): SteeringVector {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${file}: provenance is not valid JSON (${(e as Error).message})`);
  }
  return fromProvenance(parseProvenance(json, file), directionTensors(tensors), file);
}
