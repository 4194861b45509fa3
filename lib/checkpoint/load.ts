import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { archForConfig, expectedShapes, type ModelSpec, type TensorF32, type Weights, type ArchTable, type TensorRule } from "../arch/index";
import type { GenerationConfig, LoadedModel, TextTokenizer } from "./types";
import { progress } from "../util/index";
import { fileStamp, finiteMark } from "./file-identity";
import { firstNonFinite, readSafetensorsHeader, readStoredTensor, type Dtype, type HeaderEntry } from "./safetensors";
import { HfTokenizer, loadTokenizer, specialTokenText } from "./tokenizer";

/**
 * Load a Hugging Face causal-LM checkpoint folder: config.json, model.safetensors (or shards listed in
 * model.safetensors.index.json), tokenizer files and generation_config.json. Weights are validated against
 * the architecture table (names and shapes) before any data is read, and checked finite; they are converted to
 * canonical fp32 only when first used.
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const { table, spec } = readConfig(dir);

  const { located, source } = locateTensors(dir, table);
  // Every layer stores tensors: a layer count beyond the tensor count is a corrupt config.json, found before the
  // per-layer tensor rules are enumerated (1e308 layers would otherwise run until memory runs out).
  if (spec.nLayers > located.size)
    throw new Error(`${join(dir, "config.json")}: declares ${spec.nLayers} layers, but ${source} holds only ${located.size} tensors`);
  const rules = table.tensorRules(spec);
  checkTensors(spec, table, rules, located, source);
  checkFinite(rules, located);
  // Decoded to fp32 on first use of `weights` (a reference forward, training), never at load: an engine streams
  // them through `readTensor` one tensor at a time while it builds a graph, and one whose graphs are cached reads none.
  const stamps = new Map([...new Set([...located.values()].map((l) => l.file))].map((f) => [f, fileStamp(f)]));
  // The header was validated at load: a file rewritten since then must be loaded again, not half-trusted.
  const unchanged = () => {
    for (const [f, st] of stamps) if (fileStamp(f) !== st) throw new Error(`${f}: changed since the checkpoint was loaded (its weights are read on first use); load it again`);
  };
  let decoded: Weights | null = null;
  const shapes = expectedShapes(spec);
  const ruleOf = new Map(rules.flatMap((r) => r.canonical.map((name, i) => [name, { rule: r, part: i }] as const)));
  // A fused stored tensor (GPT-2's c_attn) serves several canonical ones, read one after another: kept until the next rule.
  let last: { rule: TensorRule; parts: Float32Array[] } | null = null;
  const readTensor = (name: string): TensorF32 => {
    if (decoded) return decoded.get(name) ?? missing(name);
    const at = ruleOf.get(name) ?? missing(name);
    if (last?.rule !== at.rule) {
      unchanged();
      last = { rule: at.rule, parts: decodeRule(at.rule, located.get(at.rule.hf)!) };
    }
    return { shape: shapes.get(name)!.slice(), data: last.parts[at.part] };
  };
  const missing = (name: string): never => { throw new Error(`${dir}: architecture '${spec.arch}' has no canonical tensor '${name}'`); };

  const tokenizer = existsSync(join(dir, "tokenizer.json")) ? loadTokenizer(dir) : null;
  const generation = generationConfig(dir, spec, tokenizer);
  const parameters = [...expectedShapes(spec).values()].reduce((n, shape) => n + shape.reduce((a, d) => a * d, 1), 0);
  const dtypes = new Set(rules.map((r) => located.get(r.hf)!.entry.dtype));
  // Absolute, so that the weights keep one identity whatever the working directory (engine graph cache).
  const files = [...new Set([...located.values()].map((l) => resolve(l.file)))].sort();
  return {
    dir, spec, tokenizer, generation, info: { dtype: [...dtypes].sort().join("+"), parameters, files },
    get weights() {
      if (!decoded) { unchanged(); decoded = withShapes(spec, readWeights(rules, located)); last = null; }
      return decoded;
    },
    readTensor,
  };
}

/** A checkpoint's architecture table and spec from its config.json alone (cheap: no weights are read). */
export function readConfig(dir: string): { table: ArchTable; spec: ModelSpec } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such checkpoint folder`);
  const configFile = join(dir, "config.json");
  if (!existsSync(configFile)) throw new Error(`${dir}: no config.json (expected a Hugging Face checkpoint folder)`);
  const config = readJson(configFile);
  const table = archForConfig(config, configFile);
  return { table, spec: table.parseConfig(config, configFile) };
}

interface Located {
  /** Path of the safetensors file holding the tensor. */
  file: string;
  /** Where that file's tensor data begins. */
  dataStart: number;
  /** The name as stored in that file. */
  stored: string;
  entry: HeaderEntry;
}

const readJson = (file: string): Record<string, unknown> => {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error(`${file}: expected a JSON object`);
  return value as Record<string, unknown>;
};

/**
 * Every tensor of the checkpoint, by (normalized) name, with its file and header entry; `source` is the file
 * that lists the tensors (model.safetensors, or the shard index).
 */
function locateTensors(dir: string, table: ArchTable): { located: Map<string, Located>; source: string } {
  const single = join(dir, "model.safetensors");
  const indexFile = join(dir, "model.safetensors.index.json");
  let byFile: Map<string, string[] | null>;
  let source: string;
  if (existsSync(single)) { byFile = new Map([[single, null]]); source = single; }
  else if (existsSync(indexFile)) { byFile = shardsOf(dir, indexFile); source = indexFile; }
  else throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json`);

  const located = new Map<string, Located>();
  for (const [file, listed] of byFile) {
    if (!existsSync(file)) throw new Error(`${indexFile}: lists shard ${file}, which does not exist`);
    const header = readSafetensorsHeader(file);
    for (const name of listed ?? Object.keys(header.tensors)) {
      const entry = header.tensors[name];
      if (!entry) throw new Error(`${indexFile}: weight_map puts '${name}' in ${file}, which does not contain it`);
      const key = table.normalizeName ? table.normalizeName(name) : name;
      const prior = located.get(key);
      if (prior) throw new Error(`${file}: tensor '${name}' is stored twice (also as '${prior.stored}' in ${prior.file})`);
      located.set(key, { file, dataStart: header.dataStart, stored: name, entry });
    }
  }
  return { located, source };
}

/** Shard file → the tensor names the index assigns to it. */
function shardsOf(dir: string, indexFile: string): Map<string, string[]> {
  const index = readJson(indexFile);
  const map = index.weight_map;
  if (!map || typeof map !== "object" || Array.isArray(map)) throw new Error(`${indexFile}: missing field 'weight_map' (tensor name → shard file)`);
  const byFile = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\"))
      throw new Error(`${indexFile}: weight_map['${name}'] must be a file name in the same folder, got ${JSON.stringify(shard)}`);
    const file = join(dir, shard);
    byFile.set(file, [...(byFile.get(file) ?? []), name]);
  }
  return byFile;
}

const FLOAT_DTYPES: readonly Dtype[] = ["F32", "F16", "BF16"];
const fmt = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** Every expected tensor present with its shape and a float dtype; nothing unexpected besides known buffers. */
function checkTensors(spec: ModelSpec, table: ArchTable, rules: readonly TensorRule[], located: Map<string, Located>, source: string): void {
  for (const rule of rules) {
    const l = located.get(rule.hf);
    if (!l) throw new Error(`${source}: missing tensor '${rule.hf}' (expected shape ${fmt(rule.hfShape)} from config.json)`);
    if (l.entry.shape.length !== rule.hfShape.length || l.entry.shape.some((d, i) => d !== rule.hfShape[i]))
      throw new Error(`${l.file}: tensor '${l.stored}' has shape ${fmt(l.entry.shape)}, expected ${fmt(rule.hfShape)} from config.json`);
    if (!FLOAT_DTYPES.includes(l.entry.dtype))
      throw new Error(`${l.file}: tensor '${l.stored}' has dtype ${l.entry.dtype}, expected one of ${FLOAT_DTYPES.join(", ")}`);
  }
  const expected = new Set(rules.map((r) => r.hf));
  // A tied checkpoint may still carry lm_head.weight; transformers ties it to the embedding, so it is unused.
  const ignorable = (name: string) => table.ignored.some((re) => re.test(name)) || (spec.tieEmbeddings && name === "lm_head.weight");
  const extra = [...located.entries()].filter(([name]) => !expected.has(name) && !ignorable(name));
  if (extra.length) {
    const shown = extra.slice(0, 5).map(([, l]) => `'${l.stored}' (${l.file})`).join(", ");
    throw new Error(`${source}: unexpected tensors for ${spec.hfArchitecture} with this config.json: ${shown}${extra.length > 5 ? ` and ${extra.length - 5} more` : ""}`);
  }
}

/**
 * Every weight finite, checked on the stored bits in bounded chunks (no fp32 copy): a bad checkpoint fails at load.
 * A file found finite before and unchanged since is not read again (./file-identity finiteMark).
 */
function checkFinite(rules: readonly TensorRule[], located: Map<string, Located>): void {
  const byFile = new Map<string, Located[]>();
  for (const r of rules) {
    const l = located.get(r.hf)!;
    let tensors = byFile.get(l.file);
    if (!tensors) byFile.set(l.file, (tensors = []));
    tensors.push(l);
  }
  const unchecked = [...byFile].map(([file, tensors]) => ({ tensors, mark: finiteMark(file) })).filter((f) => !f.mark.known);
  if (unchecked.length === 0) return;
  const bar = progress("checking weights", unchecked.reduce((n, f) => n + f.tensors.length, 0));
  for (const { tensors, mark } of unchecked) {
    for (const l of tensors) {
      const bad = firstNonFinite(l.file, l.dataStart, l.stored, l.entry);
      if (bad) throw new Error(`${l.file}: tensor '${l.stored}' holds a non-finite value (${bad.value} at flat index ${bad.index}); every weight must be finite`);
      bar.tick();
    }
    mark.remember();
  }
  bar.done();
}

/** One stored tensor → its canonical parts (finiteness was checked at load; the check stays, on the decoded values). */
function decodeRule(rule: TensorRule, l: Located): Float32Array[] {
  const data = readStoredTensor(l.file, l.dataStart, l.stored, l.entry).data;
  const bad = data.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`${l.file}: tensor '${l.stored}' holds a non-finite value (${data[bad]} at flat index ${bad}); every weight must be finite`);
  return rule.toCanonical(data);
}

/** Every canonical weight, decoded tensor by tensor. */
function readWeights(rules: readonly TensorRule[], located: Map<string, Located>): Weights {
  const weights: Weights = new Map();
  const bar = progress("decoding weights", rules.length);
  for (const rule of rules) {
    const parts = decodeRule(rule, located.get(rule.hf)!);
    rule.canonical.forEach((name, i) => weights.set(name, { shape: [], data: parts[i] }));
    bar.tick();
  }
  bar.done();
  return weights;
}

/** Attach canonical shapes (and check the table covered the spec: a table bug otherwise). */
function withShapes(spec: ModelSpec, weights: Weights): Weights {
  const shapes = expectedShapes(spec);
  for (const [name, shape] of shapes) {
    const t = weights.get(name);
    if (!t) throw new Error(`architecture table '${spec.arch}' produced no canonical tensor '${name}'`);
    t.shape = shape.slice();
  }
  if (weights.size !== shapes.size) throw new Error(`architecture table '${spec.arch}' produced unexpected canonical tensors`);
  return weights;
}

/**
 * EOS/BOS/PAD and sampling defaults: generation_config.json first, then config.json, then the tokenizer's
 * special tokens (tokenizer_config.json), the order transformers applies.
 */
function generationConfig(dir: string, spec: ModelSpec, tokenizer: TextTokenizer | null): GenerationConfig {
  const file = join(dir, "generation_config.json");
  const gen = existsSync(file) ? readJson(file) : {};
  const ids = (v: unknown, field: string): number[] | null => {
    if (v === undefined || v === null) return null;
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`${file}: field '${field}' must be a token id or a list of ids, got ${JSON.stringify(v)}`);
    return list as number[];
  };
  const fromTokenizer = (field: string): number | null => {
    if (!(tokenizer instanceof HfTokenizer)) return null;
    const text = specialTokenText(tokenizer.config, field);
    return text === null ? null : tokenizer.tokenId(text);
  };
  const single = (field: string, fromSpec: number | null, tokField: string): number | null =>
    ids(gen[field], field)?.[0] ?? fromSpec ?? fromTokenizer(tokField);
  const eosFromTok = fromTokenizer("eos_token");
  const out: GenerationConfig = {
    eosTokenIds: ids(gen.eos_token_id, "eos_token_id") ?? (spec.eosTokenIds.length ? spec.eosTokenIds : eosFromTok === null ? [] : [eosFromTok]),
    bosTokenId: single("bos_token_id", spec.bosTokenId, "bos_token"),
    padTokenId: single("pad_token_id", spec.padTokenId, "pad_token"),
  };
  const num = (field: string): number | undefined => {
    const v = gen[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${file}: field '${field}' must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const temperature = num("temperature"), topP = num("top_p"), topK = num("top_k");
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.topP = topP;
  if (topK !== undefined) out.topK = topK;
  return out;
}
