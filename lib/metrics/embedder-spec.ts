import { loadModel } from "../checkpoint/index";
import { createEngine } from "../engine/index";
import { engineEmbedder, transformersEmbedder, type Embedder } from "./embed";

/**
 * The CLI's --embedder: `engine:<modelDir>:<layer>` (the study model's mean-pooled resid_post at that layer, run
 * on the ONNX engine) or `transformers:<dir>` (a local transformers.js feature-extraction model).
 */
export async function openEmbedder(spec: string): Promise<{ embed: Embedder; close(): Promise<void> }> {
  const m = /^engine:(.+):(\d+)$/.exec(spec);
  if (m) {
    const engine = await createEngine(await loadModel(m[1]));
    return { embed: engineEmbedder(engine, { layer: Number(m[2]) }), close: () => engine.dispose() };
  }
  if (spec.startsWith("transformers:")) return { embed: transformersEmbedder(spec.slice("transformers:".length)), close: async () => {} };
  throw new Error(`--embedder must be engine:<modelDir>:<layer> or transformers:<dir>, got '${spec}'`);
}

/** Embed texts with the embedder a --embedder spec names, releasing its model afterwards. */
export async function embedWith(spec: string, texts: string[]): Promise<Float32Array[]> {
  const e = await openEmbedder(spec);
  try { return await e.embed(texts); } finally { await e.close(); }
}
