import { STEER_SITES, type SteerSite } from "../arch/index";
import { READ_POLICIES, type ReadPolicy } from "../engine/index";
import { createVector, type LayerInfo, type ModelIdentity, type SteeringVector } from "./vector";

/**
 * The JSON provenance of a vector (everything but the tensors), shared by the safetensors and GGUF files.
 * Layer numbers are 0-based block indices; direction.<l> is added to the output (resid_post) of block l, or
 * to block l's per-head attention output (attn_out) for ITI.
 */
export const PROVENANCE_FORMAT = "steersynth.steering-vector/1";

export interface Provenance {
  format: typeof PROVENANCE_FORMAT;
  model: ModelIdentity;
  site: SteerSite;
  method: string;
  read: ReadPolicy | null;
  dataset: string | null;
  layers: number[];
  strengthUnit: string;
  layerInfo: Record<string, LayerInfo>;
  details: Record<string, unknown>;
}

export const STRENGTH_UNIT: Record<SteerSite, string> = {
  resid_post: "strength α adds α·direction.<l>; for extracted vectors direction.<l> = typicalNorm_l · unit direction (typicalNorm_l: mean resid_post norm at layer l on the extraction data, in layerInfo)",
  attn_out: "strength α adds α·direction.<l>; direction.<l> holds σ_h·θ̂_h in each chosen head's [headDim] block (ITI: θ̂_h unit mass-mean direction, σ_h std of projections on it) and 0 elsewhere",
};

export function toProvenance(v: SteeringVector): Provenance {
  return {
    format: PROVENANCE_FORMAT, model: v.model, site: v.site, method: v.method, read: v.read, dataset: v.dataset,
    layers: [...v.directions.keys()], strengthUnit: STRENGTH_UNIT[v.site],
    layerInfo: Object.fromEntries([...v.layerInfo].map(([l, info]) => [String(l), info])),
    details: { ...v.details },
  };
}

/** Check a parsed provenance object; errors name the file and field. */
export function parseProvenance(json: unknown, file: string): Provenance {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new Error(`${file}: ${field} must be ${expected} (got ${JSON.stringify(got)})`);
  };
  if (!json || typeof json !== "object") fail("(root)", "an object", json);
  const p = json as Record<string, unknown>;
  if (p.format !== PROVENANCE_FORMAT) fail("format", JSON.stringify(PROVENANCE_FORMAT), p.format);
  const m = p.model as Record<string, unknown> | undefined;
  if (!m || typeof m !== "object") fail("model", "an object", m);
  for (const f of ["hidden", "nLayers", "nHeads", "headDim"]) if (!Number.isInteger(m![f]) || (m![f] as number) < 1) fail(`model.${f}`, "a positive integer", m![f]);
  for (const f of ["name", "arch"]) if (typeof m![f] !== "string") fail(`model.${f}`, "a string", m![f]);
  if (!STEER_SITES.includes(p.site as SteerSite)) fail("site", STEER_SITES.map((s) => JSON.stringify(s)).join(" or "), p.site);
  if (typeof p.method !== "string") fail("method", "a string", p.method);
  if (p.read !== null && !READ_POLICIES.includes(p.read as ReadPolicy)) fail("read", `null or one of ${READ_POLICIES.join(", ")}`, p.read);
  if (p.dataset !== null && typeof p.dataset !== "string") fail("dataset", "null or a string", p.dataset);
  if (!Array.isArray(p.layers) || p.layers.some((l) => !Number.isInteger(l))) fail("layers", "a list of integers", p.layers);
  return p as unknown as Provenance;
}

/** Rebuild the value from provenance and the tensors read beside it. */
export function fromProvenance(p: Provenance, directions: Map<number, Float32Array>, file: string): SteeringVector {
  const expected = [...p.layers].sort((a, b) => a - b).join(","), got = [...directions.keys()].sort((a, b) => a - b).join(",");
  if (expected !== got) throw new Error(`${file}: provenance lists layers [${expected}] but the file holds direction tensors for [${got}]`);
  return createVector({
    model: p.model, site: p.site, method: p.method, read: p.read, dataset: p.dataset, directions,
    layerInfo: new Map(Object.entries(p.layerInfo ?? {}).map(([l, info]) => [Number(l), info])), details: p.details ?? {},
  });
}
