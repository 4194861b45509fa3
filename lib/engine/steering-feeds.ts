import { ABLATE_SITES, siteWidth, STEER_SITES, type ModelSpec, type SiteName } from "../arch/index";
import type { SampleSteering } from "./types";
import { IO } from "./variant";

/**
 * SampleSteering per sample → the graph's steering inputs. Vectors are per sample and fixed for a whole
 * generation; only steer_mask changes with the positions being computed.
 */

/** Every key must name an existing layer and a steerable site, with a vector of the site's width. */
export function validateSteering(spec: ModelSpec, steering: readonly (SampleSteering | null)[], batch: number): void {
  if (steering.length !== batch) throw new Error(`steering: ${steering.length} entries for a batch of ${batch} (one per sample, null = unsteered)`);
  steering.forEach((s, i) => {
    if (!s) return;
    if (s.window !== "prompt" && s.window !== "generated" && s.window !== "all")
      throw new Error(`steering[${i}].window: expected "prompt", "generated" or "all" (got ${JSON.stringify(s.window)})`);
    for (const kind of ["add", "ablate"] as const) {
      const allowed: readonly SiteName[] = kind === "add" ? STEER_SITES : ABLATE_SITES;
      for (const [key, vec] of Object.entries(s[kind] ?? {})) {
        const where = `steering[${i}].${kind}['${key}']`;
        const m = /^(\d+)\.([a-z_]+)$/.exec(key);
        if (!m) throw new Error(`${where}: expected a key '<layer>.<site>' such as '3.resid_post'`);
        const layer = Number(m[1]), site = m[2] as SiteName;
        if (layer >= spec.nLayers) throw new Error(`${where}: layer ${layer} does not exist (the model has layers 0..${spec.nLayers - 1})`);
        if (!allowed.includes(site)) throw new Error(`${where}: site '${site}' cannot be ${kind === "add" ? "steered" : "ablated"} (expected ${allowed.join(" or ")})`);
        if (!(vec instanceof Float32Array) || vec.length !== siteWidth(spec, site))
          throw new Error(`${where}: expected a Float32Array of ${siteWidth(spec, site)} values (the width of ${site}), got ${vec?.length}`);
        if (kind === "ablate") {
          let sq = 0;
          for (const v of vec) sq += v * v;
          if (Math.abs(Math.sqrt(sq) - 1) > 1e-3) throw new Error(`${where}: an ablation direction must have unit length (got ${Math.sqrt(sq)})`);
        }
      }
    }
  });
}

/** The per-layer vector inputs [B, width] for a batch (zeros where a sample has nothing at that site). */
export function steeringVectors(spec: ModelSpec, steering: readonly (SampleSteering | null)[] | undefined, B: number): Map<string, Float32Array> {
  const feeds = new Map<string, Float32Array>();
  const qDim = spec.nHeads * spec.headDim;
  for (let l = 0; l < spec.nLayers; l++) {
    feeds.set(IO.steerResid(l), new Float32Array(B * spec.hidden));
    feeds.set(IO.steerAttn(l), new Float32Array(B * qDim));
    feeds.set(IO.ablateResid(l), new Float32Array(B * spec.hidden));
  }
  steering?.forEach((s, b) => {
    if (!s) return;
    for (const [key, vec] of Object.entries(s.add ?? {})) {
      const [layer, site] = key.split(".");
      const name = site === "attn_out" ? IO.steerAttn(Number(layer)) : IO.steerResid(Number(layer));
      feeds.get(name)!.set(vec, b * vec.length);
    }
    for (const [key, vec] of Object.entries(s.ablate ?? {})) feeds.get(IO.ablateResid(Number(key.split(".")[0])))!.set(vec, b * vec.length);
  });
  return feeds;
}

/** Rows `keep` of [B, width] vectors (a batch shrinking as samples finish). */
export function selectRows(feeds: Map<string, Float32Array>, B: number, keep: readonly number[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, data] of feeds) {
    const width = data.length / B;
    const rows = new Float32Array(keep.length * width);
    keep.forEach((b, i) => rows.set(data.subarray(b * width, (b + 1) * width), i * width));
    out.set(name, rows);
  }
  return out;
}

/**
 * steer_mask [B, T] for graph columns whose real-token index (0 at the sample's first real token) is
 * firstIndex[b] + column − pad[b]; padding columns are 0. prompt = [0, promptLength), generated = [promptLength, ∞).
 */
export function steerMask(steering: readonly (SampleSteering | null)[] | undefined, B: number, T: number,
  pad: readonly number[], firstIndex: readonly number[], promptLengths: readonly number[]): Float32Array {
  const mask = new Float32Array(B * T);
  if (!steering) return mask;
  for (let b = 0; b < B; b++) {
    const s = steering[b];
    if (!s) continue;
    for (let c = pad[b]; c < T; c++) {
      const t = firstIndex[b] + c - pad[b];
      const inWindow = s.window === "all" || (s.window === "prompt" ? t < promptLengths[b] : t >= promptLengths[b]);
      if (inWindow) mask[b * T + c] = 1;
    }
  }
  return mask;
}
