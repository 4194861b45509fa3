import { siteKey, siteWidth, type SiteName } from "../arch/index";
import type { Engine } from "./types";
import { progress } from "../util/index";
import { readPositions, type EncodedText, type ReadPolicy } from "./read";

export interface CaptureOptions {
  sites: SiteName[];
  layers: number[];
  read: ReadPolicy;
  /** Sequences per forward pass (default 16). Results never depend on it. */
  batchSize?: number;
  /** Progress title. */
  label?: string;
}

/**
 * Run the examples through the engine and read each requested site at each layer under the reading policy.
 * Examples are batched by length (less padding); the engine left-pads, so token t of sample b sits at
 * pad[b] + t. Returns `${layer}.${site}` → [N, width] rows in the order of `texts`.
 */
export async function captureActivations(engine: Engine, texts: readonly EncodedText[], opts: CaptureOptions): Promise<Map<string, Float32Array>> {
  const spec = engine.model.spec;
  const batchSize = opts.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`capture: batchSize must be a positive integer (got ${batchSize})`);
  if (texts.length === 0) throw new Error("capture: no examples to read");
  const positions = texts.map((t, i) => readPositions(t, opts.read, `example ${i}`));
  const out = new Map<string, Float32Array>();
  for (const l of opts.layers) for (const s of opts.sites) out.set(siteKey(l, s), new Float32Array(texts.length * siteWidth(spec, s)));

  const order = texts.map((_, i) => i).sort((a, b) => texts[a].ids.length - texts[b].ids.length || a - b);
  const bar = progress(opts.label ?? "capture", texts.length);
  try {
    for (let start = 0; start < order.length; start += batchSize) {
      const members = order.slice(start, start + batchSize);
      const result = await engine.forward(members.map((i) => texts[i].ids), { capture: { sites: opts.sites, layers: opts.layers }, logits: "none" });
      const T = result.seqLen;
      for (const [key, rows] of out) {
        const acts = result.captures.get(key);
        if (!acts) throw new Error(`capture: the engine returned no activations for '${key}'`);
        const width = rows.length / texts.length;
        members.forEach((i, b) => {
          const acc = new Float64Array(width);
          for (const p of positions[i]) {
            const at = (b * T + result.pad[b] + p) * width;
            for (let k = 0; k < width; k++) acc[k] += acts[at + k];
          }
          for (let k = 0; k < width; k++) rows[i * width + k] = acc[k] / positions[i].length;
        });
      }
      bar.tick(members.length);
    }
  } finally {
    bar.done();
  }
  return out;
}
