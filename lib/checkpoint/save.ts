import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { archByName, specToConfig, expectedShapes, type ModelSpec, type Weights, configText, eosField } from "../arch/index";
import type { GenerationConfig } from "./types";
import { progress } from "../util/index";
import { encodeSafetensors, type WriteTensor } from "./safetensors";
import type { TokenizerConfig } from "./tokenizer";

/**
 * Write a Hugging Face checkpoint folder that transformers (and loadModel) read: config.json from the
 * architecture table, weights in HF names and layouts as model.safetensors or shards with
 * model.safetensors.index.json, tokenizer.json + tokenizer_config.json, generation_config.json.
 */
export interface CheckpointContents {
  spec: ModelSpec;
  /** Canonical weights (effective values; see lib/arch/spec.ts). */
  weights: Weights;
  tokenizer?: { json: object; config: TokenizerConfig };
  generation?: GenerationConfig;
}

export interface SaveOptions {
  dtype: "F32" | "F16" | "BF16";
  /** Split weights into shards of at most this many bytes (a single tensor larger than this gets its own shard). */
  maxShardBytes?: number;
}

const TORCH_DTYPE = { F32: "float32", F16: "float16", BF16: "bfloat16" } as const;
const BYTES = { F32: 4, F16: 2, BF16: 2 } as const;

/**
 * Save atomically as a whole: everything is written into a temporary sibling folder that then replaces `dir`
 * (a reader sees the old folder or the complete new one; between the two renames the path briefly does not exist).
 */
export function saveModel(dir: string, contents: CheckpointContents, opts: SaveOptions): void {
  const { spec, weights } = contents;
  checkWeights(spec, weights);
  const table = archByName(spec.arch);
  const config = { ...specToConfig(spec), torch_dtype: TORCH_DTYPE[opts.dtype] };

  const hf: Record<string, WriteTensor> = {};
  for (const rule of table.tensorRules(spec)) {
    const data = rule.toHf(rule.canonical.map((c) => weights.get(c)!.data));
    hf[rule.hf] = { shape: rule.hfShape, data, dtype: opts.dtype };
  }

  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    const json = (name: string, value: unknown) => writeFileSync(join(tmp, name), configText(value));
    json("config.json", config);
    writeWeights(tmp, hf, opts, json);
    if (contents.tokenizer) {
      json("tokenizer.json", contents.tokenizer.json);
      json("tokenizer_config.json", contents.tokenizer.config);
    }
    json("generation_config.json", generationJson(contents.generation ?? {
      eosTokenIds: spec.eosTokenIds, bosTokenId: spec.bosTokenId, padTokenId: spec.padTokenId,
    }));
    replaceDir(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function checkWeights(spec: ModelSpec, weights: Weights): void {
  const shapes = expectedShapes(spec);
  for (const [name, shape] of shapes) {
    const t = weights.get(name);
    if (!t) throw new Error(`saveModel: missing canonical weight '${name}' (shape [${shape.join(", ")}])`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new Error(`saveModel: weight '${name}' has ${t.data.length} values, expected shape [${shape.join(", ")}] (${n})`);
  }
  for (const name of weights.keys())
    if (!shapes.has(name)) throw new Error(`saveModel: weight '${name}' is not part of a ${spec.arch} model with this spec`);
}

function writeWeights(tmp: string, hf: Record<string, WriteTensor>, opts: SaveOptions, json: (name: string, v: unknown) => void): void {
  const names = Object.keys(hf);
  const size = (n: string) => hf[n].data.length * BYTES[opts.dtype];
  const total = names.reduce((s, n) => s + size(n), 0);
  const metadata = { format: "pt" };
  if (opts.maxShardBytes === undefined || total <= opts.maxShardBytes) {
    writeFileSync(join(tmp, "model.safetensors"), encodeSafetensors(hf, metadata));
    return;
  }
  const shards: string[][] = [[]];
  let used = 0;
  for (const n of names) {
    if (used > 0 && used + size(n) > opts.maxShardBytes) { shards.push([]); used = 0; }
    shards[shards.length - 1].push(n);
    used += size(n);
  }
  const weightMap: Record<string, string> = {};
  const bar = progress("writing shards", shards.length);
  shards.forEach((shard, i) => {
    const file = `model-${String(i + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`;
    writeFileSync(join(tmp, file), encodeSafetensors(Object.fromEntries(shard.map((n) => [n, hf[n]])), metadata));
    for (const n of shard) weightMap[n] = file;
    bar.tick();
  });
  bar.done();
  json("model.safetensors.index.json", { metadata: { total_size: total }, weight_map: weightMap });
}

function generationJson(g: GenerationConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    bos_token_id: g.bosTokenId,
    eos_token_id: eosField(g.eosTokenIds),
    pad_token_id: g.padTokenId,
  };
  if (g.temperature !== undefined) out.temperature = g.temperature;
  if (g.topP !== undefined) out.top_p = g.topP;
  if (g.topK !== undefined) out.top_k = g.topK;
  if (g.temperature !== undefined || g.topP !== undefined || g.topK !== undefined) out.do_sample = true;
  return out;
}

/** Move `tmp` to `dir`, replacing an existing folder. */
function replaceDir(tmp: string, dir: string): void {
  if (!existsSync(dir)) { renameSync(tmp, dir); return; }
  const old = `${tmp}.old`;
  renameSync(dir, old);
  try {
    renameSync(tmp, dir);
  } catch (err) {
    renameSync(old, dir);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}
