import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isAbsolute, join } from "node:path";
import * as ort from "onnxruntime-node";
import { ensureDir, writeFileAtomic, fingerprint, repoRoot } from "../util/index";
import type { LoadedModel } from "../checkpoint/index";
import type { EmbeddingSource } from "./embedding";
import { buildTransformerGraph, type ReadWeight } from "./graph";
import { layoutShared, serializeModel, type GraphBuilder, type SharedIndex } from "./onnx-builder";
import { WEIGHT_FORMATS, type WeightFormat } from "./quantize";
import { variantKey, type GraphVariant } from "./variant";

/** Named graph inputs of one run; values are ORT tensors. */
export type Feeds = Record<string, ort.Tensor>;

/**
 * Runs one graph variant (built and opened on first use, then reused). Token ids go in as `input_ids` [B, T] int64:
 * the engine looks their embedding rows up on the host and feeds the graph `inputs_embeds` (./embedding).
 */
export type RunGraph = (variant: GraphVariant, feeds: Feeds) => Promise<ort.InferenceSession.ReturnType>;

/** Bump when the graph builder's output changes, so cached graphs are rebuilt. */
export const BUILDER_VERSION = 9;

/**
 * The disk cache is trimmed to max(this, 1.25 × the checkpoints this process has open), least recently used
 * checkpoints first (tests create many throwaway ones); a checkpoint this process uses is never deleted.
 */
const CACHE_FLOOR_BYTES = 4e9;

export interface EngineOptions {
  /** "cuda" needs onnxruntime-node's CUDA provider libraries (not shipped in its npm tarball). Default "cpu". */
  executionProvider?: "cpu" | "cuda";
  /** Intra-op threads (default: all available cores). */
  threads?: number;
  /**
   * Where compiled graphs are cached: a folder, or null for no disk cache. Default: `.cache/onnx` in the
   * repository for models loaded from files; no cache for in-memory models (their weights have no stable identity
   * short of hashing them).
   */
  cacheDir?: string | null;
  /**
   * Layer weights as stored for inference: "fp32" (default: exactly the checkpoint's numbers), or "int8"/"int4"
   * block-quantized (onnxruntime's MatMulNBits; activations and steering stay fp32). See ./quantize.
   */
  weights?: WeightFormat;
  /**
   * Whether onnxruntime prepacks constant weights into its own layout (default true). It maps the cache's weight file
   * (one copy, shared by every session of the checkpoint) and, when prepacking, keeps a packed copy of each matmul
   * weight and releases the mapped original; the embedding rows are read on the host without a mapping
   * (./embedding). `false` (fp32 only) reads every weight from the mapping: held once too, at up to ~20 % slower
   * small-batch decode (README "Real-size checkpoints"; logits differ from prepacked ones by float rounding).
   * Quantized formats need prepacking (MatMulNBits is ~20× slower without).
   */
  prepack?: boolean;
}

/**
 * The identity of a model's weights: the checkpoint files' (path, size, mtime, inode) when it came from disk,
 * else a hash of the weights themselves.
 */
function weightsIdentity(model: LoadedModel): unknown {
  if (model.info.files.length === 0) return { content: [...model.weights].map(([n, t]) => [n, t.shape, t.data]) };
  return model.info.files.map((f) => {
    const path = isAbsolute(f) ? f : join(model.dir, f);
    const st = statSync(path);
    return [path, st.size, st.mtimeMs, st.ino];
  });
}

/**
 * The weights for graph builds, one tensor at a time: a checkpoint's are streamed from its files (not kept, see
 * LoadedModel.readTensor); an in-memory model's are its own.
 */
function weightReader(model: LoadedModel): ReadWeight {
  if (model.readTensor) return (name) => model.readTensor!(name).data;
  return (name) => {
    const t = model.weights.get(name);
    if (!t) throw new Error(`onnx graph: missing weight '${name}'`);
    return t.data;
  };
}

const defaultCacheDir = (model: LoadedModel): string | null => (model.info.files.length ? join(repoRoot(), ".cache", "onnx") : null);

/**
 * The variant whose graph holds every weight any variant uses (capture only adds outputs; "last"/"none" logits and
 * the KV inputs only drop or add activations): its initializers make the checkpoint's shared weight file.
 */
const FULL_VARIANT: GraphVariant = { logits: "all", kv: true, capture: { sites: [], layers: [] } };

/** Cache groups (one per checkpoint: `<group>.weights`, its index and its variant graphs) this process has opened → their bytes. */
const inUse = new Map<string, number>();

/** An open session of one variant, and where its embedding rows are read from. */
export interface OpenSession { session: ort.InferenceSession; embedding: EmbeddingSource; inputs: ReadonlySet<string> }

/**
 * Build (or reuse from the disk cache) one variant's graph and open an ORT session on it. On disk a checkpoint is
 * one group: `<arch>-<key>.weights` (every weight once, the ONNX external-data file), `<arch>-<key>.weights.json`
 * (its index; written last, so its presence means the data file is complete) and one small
 * `<arch>-<key>.<variant>.onnx` per variant, all referring to that one data file.
 */
export async function openSession(model: LoadedModel, variant: GraphVariant, opts: EngineOptions): Promise<OpenSession> {
  const cacheDir = opts.cacheDir === undefined ? defaultCacheDir(model) : opts.cacheDir;
  const options = sessionOptions(opts);
  const format = opts.weights ?? "fp32"; // checked by createEngine (checkEngineOptions)
  if (cacheDir === null) {
    const read = weightReader(model);
    const session = await create(serializeModel(buildTransformerGraph(model.spec, read, variant, format), { kind: "inline" }), options, opts);
    return { session, embedding: { table: () => read("embed.weight") }, inputs: new Set(session.inputNames) };
  }

  // Each weight format is its own group, with its own weight file.
  const group = `${model.spec.arch}-${fingerprint({ v: BUILDER_VERSION, spec: model.spec, weights: weightsIdentity(model), format })}`;
  const dataName = `${group}.weights`;
  const dataFile = join(cacheDir, dataName), indexFile = `${dataFile}.json`;
  const file = join(cacheDir, `${group}.${fingerprint({ variant: variantKey(variant) })}.onnx`);
  let index = existsSync(dataFile) ? readIndex(indexFile) : null;
  if (!existsSync(file) || !index) {
    ensureDir(cacheDir);
    const weights = weightReader(model);
    let graph: GraphBuilder | null = null;
    // The data layout is a function of the weights alone, so a rewritten data file keeps older variants valid.
    if (!index) {
      const full = buildTransformerGraph(model.spec, weights, FULL_VARIANT, format);
      const layout = layoutShared(full);
      writeChunksAtomic(dataFile, layout.chunks);
      writeFileAtomic(indexFile, JSON.stringify(layout.index));
      index = layout.index;
      if (variantKey(variant) === variantKey(FULL_VARIANT)) graph = full;
    }
    graph ??= buildTransformerGraph(model.spec, weights, variant, format);
    writeFileAtomic(file, serializeModel(graph, { kind: "shared", fileName: dataName, index }));
  }
  const now = new Date();
  for (const f of [file, dataFile]) utimesSync(f, now, now); // recently used, for pruning
  inUse.set(group, groupBytes(cacheDir, group));
  pruneCache(cacheDir, new Set(inUse.keys()), cacheLimit());
  const session = await create(file, options, opts);
  return { session, embedding: { file: dataFile, entry: index["embed.weight"] }, inputs: new Set(session.inputNames) };
}

/** How a caller's users name the weight options in messages: option fields here, flags in the CLI. */
export interface WeightOptionNames { weights: string; noPrepack: string; fp32: string }
const FIELD_NAMES: WeightOptionNames = { weights: "weights", noPrepack: "prepack: false", fp32: 'weights "fp32"' };

/** What is wrong with a weights / prepack pair, or null: the one rule behind the engine's and the CLI's checks. */
export function weightOptionsProblem(weights: unknown, prepack: boolean, names: WeightOptionNames = FIELD_NAMES): string | null {
  const format = weights ?? "fp32";
  if (typeof format !== "string" || !(WEIGHT_FORMATS as readonly string[]).includes(format))
    return `${names.weights} must be one of ${WEIGHT_FORMATS.join(", ")}, got '${String(format)}'`;
  if (!prepack && format !== "fp32") return `${names.noPrepack} needs ${names.fp32} (got '${format}': quantized matmuls run ~20× slower unpacked)`;
  return null;
}

/** The weight options, checked when an engine is created (before any graph is built). */
export function checkEngineOptions(opts: EngineOptions): void {
  const problem = weightOptionsProblem(opts.weights, opts.prepack !== false);
  if (problem) throw new Error(`engine: ${problem}`);
}

/** The cache limit: the floor, or room for every checkpoint this process has open plus a quarter. */
const cacheLimit = (): number => Math.max(CACHE_FLOOR_BYTES, 1.25 * [...inUse.values()].reduce((a, b) => a + b, 0));

function readIndex(file: string): SharedIndex | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SharedIndex;
  } catch {
    return null; // a damaged index: the data file is rewritten with a fresh one
  }
}

/** A cache file's group: its name up to the first dot (`llama-0123abcd.weights`, `llama-0123abcd.<v>.onnx` → `llama-0123abcd`). */
const groupOf = (name: string): string => name.slice(0, name.indexOf(".") < 0 ? undefined : name.indexOf("."));

function groupBytes(cacheDir: string, group: string): number {
  return readdirSync(cacheDir).filter((f) => groupOf(f) === group).reduce((a, f) => a + statSync(join(cacheDir, f)).size, 0);
}

function sessionOptions(opts: EngineOptions): ort.InferenceSession.SessionOptions {
  const threads = opts.threads ?? availableParallelism();
  return {
    executionProviders: [opts.executionProvider ?? "cpu"],
    graphOptimizationLevel: "all",
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    logSeverityLevel: 3,
    // Off: Gemms read their weights from the mapped weight file (held once); on: onnxruntime keeps its own packed copy.
    ...(opts.prepack === false ? { extra: { session: { disable_prepacking: "1" } } } : {}),
  };
}

async function create(source: string | Uint8Array, options: ort.InferenceSession.SessionOptions, opts: EngineOptions): Promise<ort.InferenceSession> {
  try {
    return typeof source === "string" ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
  } catch (err) {
    if (opts.executionProvider === "cuda")
      throw new Error(`executionProvider "cuda" is not available: onnxruntime-node could not load its CUDA provider (${(err as Error).message.split("\n")[0]}). Use "cpu", or install onnxruntime-node with its CUDA libraries.`);
    throw err;
  }
}

/** Write byte chunks as one file, atomically (temp file + rename), each made only when written (see layoutShared). */
function writeChunksAtomic(path: string, chunks: Iterable<Uint8Array>): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    for (const c of chunks) {
      let off = 0;
      while (off < c.byteLength) off += writeSync(fd, c, off, c.byteLength - off);
    }
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Delete the least recently used checkpoint groups (weights, index and variant graphs together) until the cache
 * fits `limit` bytes; the groups in `keep` (those this process uses) are never deleted. Temp files of a writer
 * in progress are left alone.
 */
export function pruneCache(cacheDir: string, keep: ReadonlySet<string>, limit: number): void {
  const groups = new Map<string, { files: string[]; size: number; used: number }>();
  for (const f of readdirSync(cacheDir)) {
    if (f.includes(".tmp-")) continue;
    const path = join(cacheDir, f), st = statSync(path);
    const g = groups.get(groupOf(f)) ?? { files: [], size: 0, used: 0 };
    g.files.push(path);
    g.size += st.size;
    g.used = Math.max(g.used, st.mtimeMs);
    groups.set(groupOf(f), g);
  }
  let total = [...groups.values()].reduce((a, g) => a + g.size, 0);
  for (const [name, g] of [...groups].sort((a, b) => a[1].used - b[1].used)) {
    if (total <= limit) break;
    if (keep.has(name)) continue;
    for (const f of g.files) rmSync(f, { force: true });
    total -= g.size;
  }
}
