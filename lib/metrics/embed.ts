import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type Engine, captureActivations, type EncodedText } from "../engine/index";

/** Sentence embeddings for the embedding kernel and pairwise distances: one vector per text, in order. */
export type Embedder = (texts: string[]) => Promise<Float32Array[]>;

/**
 * The default, offline embedder: the study model's residual stream (resid_post) at `layer`, mean-pooled over
 * the text's tokens. The checkpoint's BOS token (when it has one) is prepended, as in generation, and left out
 * of the mean (its state is a large-norm "attention sink" that would dominate every embedding). An empty text is
 * embedded as the first EOS token — how the model itself produces an empty response.
 */
export function engineEmbedder(engine: Engine, opts: { layer: number; batchSize?: number }): Embedder {
  const { spec, tokenizer, generation } = engine.model;
  if (!tokenizer) throw new Error(`engine embedder: the model at ${engine.model.dir} has no tokenizer`);
  if (!(Number.isInteger(opts.layer) && opts.layer >= 0 && opts.layer < spec.nLayers))
    throw new Error(`engine embedder: layer must be an integer in [0, ${spec.nLayers}), got ${opts.layer}`);
  const prefix = generation.bosTokenId === null ? [] : [generation.bosTokenId];
  const eos = generation.eosTokenIds[0];
  return async (texts) => {
    if (texts.length === 0) return [];
    const encoded: EncodedText[] = texts.map((text, i) => {
      let ids = tokenizer.encode(text, { addSpecialTokens: false });
      if (ids.length === 0) {
        if (eos === undefined) throw new Error(`engine embedder: text ${i} is empty and the model has no EOS token to embed it as`);
        ids = [eos];
      }
      return { ids: [...prefix, ...ids], responseStart: prefix.length, responseEnd: prefix.length + ids.length };
    });
    const rows = (await captureActivations(engine, encoded, {
      sites: ["resid_post"], layers: [opts.layer], read: "mean", batchSize: opts.batchSize, label: "embed",
    })).get(`${opts.layer}.resid_post`)!; // [N, hidden]
    return texts.map((_, i) => rows.slice(i * spec.hidden, (i + 1) * spec.hidden));
  };
}

/**
 * A local sentence-embedding model through transformers.js `feature-extraction` (mean pooling, unit-normalised),
 * with remote models disabled: `dir` is a folder holding config.json, tokenizer files and onnx/model.onnx.
 */
export function transformersEmbedder(dir: string, opts: { batchSize?: number } = {}): Embedder {
  const abs = resolve(dir);
  if (!existsSync(join(abs, "config.json"))) throw new Error(`transformers embedder: ${abs}/config.json not found (expected a local transformers.js model folder)`);
  const batchSize = opts.batchSize ?? 32;
  let extractor: Promise<(texts: string[], o: object) => Promise<{ tolist(): number[][] }>> | null = null;
  return async (texts) => {
    extractor ??= (async () => {
      const tf = await import("@huggingface/transformers");
      tf.env.allowRemoteModels = false;
      tf.env.allowLocalModels = true;
      // transformers.js resolves a model id under localModelPath, so the folder is split into parent + name.
      tf.env.localModelPath = dirname(abs) + "/";
      return (await tf.pipeline("feature-extraction", basename(abs), { local_files_only: true })) as never;
    })();
    const run = await extractor;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      const batch = await run(texts.slice(i, i + batchSize), { pooling: "mean", normalize: true });
      for (const v of batch.tolist()) out.push(Float32Array.from(v));
    }
    return out;
  };
}
