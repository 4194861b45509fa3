import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../util/index";
import { decodeGguf, encodeGguf, type GgufTensor, type GgufValue } from "./gguf";
import { fromProvenance, parseProvenance, toProvenance } from "./provenance";
import { checkCompatible, createVector, type ModelIdentity, type SteeringVector } from "./vector";

/**
 * The GGUF control-vector format read by llama.cpp (`--control-vector`, `--control-vector-scaled FILE S`) and
 * written/read by repeng (ControlVector.export_gguf / import_gguf):
 *   general.architecture = "controlvector", controlvector.model_hint = the model type (repeng writes HF's
 *   model_type, e.g. "llama"; we write ModelSpec.arch), controlvector.layer_count (u32) = the number of
 *   direction tensors (as repeng writes it; llama.cpp does not read it);
 *   tensors "direction.<N>", F32, shape [hidden].
 *
 * Layer index convention (checked in the sources): direction.N is added to the OUTPUT of the transformer block
 * with 0-based index N — llama.cpp's common_control_vector_load_one stores direction.N at buffer row N−1, and
 * llama_adapter_cvec::apply fills the tensor for block il (0-based, applied at that block's l_out via
 * build_cvec) from row il−1, so the two offsets cancel; repeng names the tensor after its 0-based layer index
 * and reads/steers hidden_states[layer + 1], the same block output. So N is exactly steersynth's 0-based
 * resid_post layer, with no shift. llama.cpp rejects direction.0 (block 0's output cannot be steered there),
 * so exporting a vector with layer 0 is an error.
 *
 * Only resid_post vectors can be exported (llama.cpp adds control vectors to the block output). The full
 * steersynth provenance rides along as the string "steersynth.provenance", which other readers ignore.
 */
const ARCH = "controlvector";
const TENSOR = /^direction\.(\d+)$/;

export function encodeControlVector(v: SteeringVector): Uint8Array {
  if (v.site !== "resid_post") throw new Error(`GGUF control vector: only resid_post vectors can be exported (this ${v.method} vector is at ${v.site})`);
  if (v.directions.has(0)) throw new Error("GGUF control vector: llama.cpp cannot steer layer 0 (it rejects direction.0); drop layer 0 before exporting");
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: ARCH }],
    [`${ARCH}.model_hint`, { type: "string", value: v.model.arch }],
    [`${ARCH}.layer_count`, { type: "u32", value: v.directions.size }],
    ["steersynth.provenance", { type: "string", value: JSON.stringify(toProvenance(v)) }],
  ]);
  const tensors = new Map<string, GgufTensor>([...v.directions].map(([l, d]) => [`direction.${l}`, { shape: [d.length], data: d }]));
  return encodeGguf(metadata, tensors);
}

export const exportControlVector = (file: string, v: SteeringVector): void => writeFileAtomic(file, encodeControlVector(v));

/**
 * Read a control vector for `model`. Files written by steersynth come back whole (provenance included);
 * foreign files (llama.cpp, repeng) become method "import" with their tensors as the strength-1 vectors.
 * A tensor width or layer that does not fit the model is an error.
 */
export function decodeControlVector(bytes: Uint8Array, model: ModelIdentity, file: string): SteeringVector {
  const g = decodeGguf(bytes, file);
  const arch = g.metadata.get("general.architecture")?.value;
  if (arch !== ARCH) throw new Error(`${file}: general.architecture is ${JSON.stringify(arch)}, expected "${ARCH}"`);
  const directions = new Map<number, Float32Array>();
  for (const [name, t] of g.tensors) {
    const m = TENSOR.exec(name);
    if (!m) throw new Error(`${file}: unexpected tensor '${name}' (expected direction.<layer>)`);
    const layer = Number(m[1]);
    if (t.shape.length !== 1) throw new Error(`${file}: tensor '${name}' has shape [${t.shape}], expected [hidden]`);
    if (t.data.length !== model.hidden) throw new Error(`${file}: tensor '${name}' has ${t.data.length} values but ${model.name} has hidden size ${model.hidden}`);
    if (layer >= model.nLayers) throw new Error(`${file}: tensor '${name}' names layer ${layer} but ${model.name} has ${model.nLayers} layers (0-based)`);
    directions.set(layer, t.data);
  }
  if (directions.size === 0) throw new Error(`${file}: no direction tensors`);
  const provenance = g.metadata.get("steersynth.provenance")?.value;
  if (typeof provenance === "string") {
    const v = fromProvenance(parseProvenance(JSON.parse(provenance), `${file} (steersynth.provenance)`), directions, file);
    checkCompatible(v, model, file);
    return v;
  }
  const hint = g.metadata.get(`${ARCH}.model_hint`)?.value;
  return createVector({ model, site: "resid_post", method: "import", directions, details: { source: file, modelHint: typeof hint === "string" ? hint : null } });
}

export const importControlVector = (file: string, model: ModelIdentity): SteeringVector =>
  decodeControlVector(new Uint8Array(readFileSync(file)), model, file);
