import { siteKey, siteWidth, type SiteName } from "../arch/index";
import type { Engine, ForwardOptions, ForwardResult } from "./types";
import { progress } from "../util/index";
import { readPositions, type EncodedText, type ReadPolicy } from "./read";

export interface ByLengthOptions {
  /** Sequences per forward pass. Results never depend on it beyond float rounding. */
  batchSize: number;
  /** Progress title. */
  label: string;
  capture?: ForwardOptions["capture"];
  logits: NonNullable<ForwardOptions["logits"]>;
}

/**
 * Run token sequences through the engine in batches of similar length (sorted, so little padding), calling
 * visit(result, b, i) for sample i, which sits at row b of its batch's result (left-padded: its token t is at
 * result.pad[b] + t). The one batching loop of every reader of unsteered forwards (captures, NLLs, judges).
 */
export async function forwardByLength(engine: Engine, seqs: readonly (readonly number[])[], opts: ByLengthOptions, visit: (result: ForwardResult, b: number, i: number) => void): Promise<void> {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${opts.label}: batchSize must be a positive integer (got ${batchSize})`);
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a].length - seqs[b].length || a - b);
  const bar = progress(opts.label, seqs.length);
  try {
    for (let start = 0; start < order.length; start += batchSize) {
      const members = order.slice(start, start + batchSize);
      const result = await engine.forward(members.map((i) => seqs[i]), { capture: opts.capture, logits: opts.logits });
      members.forEach((i, b) => visit(result, b, i));
      bar.tick(members.length);
    }
  } finally {
    bar.done();
  }
}

/** Row i of out [N, width]: the mean over positions of sample b in a [B, T, width] capture (left-padded by pad). */
export function readRows(out: Float32Array, width: number, i: number, acts: Float32Array, T: number, pad: number, b: number, positions: readonly number[]): void {
  const acc = new Float64Array(width);
  for (const p of positions) {
    const at = (b * T + pad + p) * width;
    for (let k = 0; k < width; k++) acc[k] += acts[at + k];
  }
  for (let k = 0; k < width; k++) out[i * width + k] = acc[k] / positions.length;
}

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
 * Returns `${layer}.${site}` → [N, width] rows in the order of `texts`.
 */
export async function captureActivations(engine: Engine, texts: readonly EncodedText[], opts: CaptureOptions): Promise<Map<string, Float32Array>> {
  const spec = engine.model.spec;
  if (texts.length === 0) throw new Error("capture: no examples to read");
  const positions = texts.map((t, i) => readPositions(t, opts.read, `example ${i}`));
  const out = new Map<string, Float32Array>();
  for (const l of opts.layers) for (const s of opts.sites) out.set(siteKey(l, s), new Float32Array(texts.length * siteWidth(spec, s)));
  await forwardByLength(engine, texts.map((t) => t.ids), { batchSize: opts.batchSize ?? 16, label: opts.label ?? "capture", capture: { sites: opts.sites, layers: opts.layers }, logits: "none" }, (result, b, i) => {
    for (const [key, rows] of out) {
      const acts = result.captures.get(key);
      if (!acts) throw new Error(`capture: the engine returned no activations for '${key}'`);
      readRows(rows, rows.length / texts.length, i, acts, result.seqLen, result.pad[b], b, positions[i]);
    }
  });
  return out;
}
