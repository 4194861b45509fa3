import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isAbsolute, join } from "node:path";
import * as ort from "onnxruntime-node";
import { writeFileAtomic, fingerprint, repoRoot } from "../util/index";
import type { LoadedModel } from "../checkpoint/index";
import { buildTransformerGraph } from "./graph";
import { serializeModel, type InitializerPlacement } from "./onnx-builder";
import { variantKey, type GraphVariant } from "./variant";

/** Named graph inputs of one run; values are ORT tensors. */
export type Feeds = Record<string, ort.Tensor>;

/** Runs one graph variant (built and opened on first use, then reused). */
export type RunGraph = (variant: GraphVariant, feeds: Feeds) => Promise<ort.InferenceSession.ReturnType>;

/** Bump when the graph builder's output changes, so cached graphs are rebuilt. */
export const BUILDER_VERSION = 4;

/** The disk cache is trimmed to this size, least recently used graphs first (tests create many throwaway checkpoints). */
const CACHE_LIMIT_BYTES = 4e9;

/** Models above this size keep their weights in an external data file (protobuf messages stop at 2 GB). */
const EXTERNAL_DATA_BYTES = 1.5e9;

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

const defaultCacheDir = (model: LoadedModel): string | null => (model.info.files.length ? join(repoRoot(), ".cache", "onnx") : null);

/** Build (or reuse from the disk cache) one variant's graph and open an ORT session on it. */
export async function openSession(model: LoadedModel, variant: GraphVariant, opts: EngineOptions): Promise<ort.InferenceSession> {
  const cacheDir = opts.cacheDir === undefined ? defaultCacheDir(model) : opts.cacheDir;
  const options = sessionOptions(opts);
  if (cacheDir === null) {
    const { model: bytes, external } = compile(model, variant, { kind: "inline" });
    if (external.length) throw new Error("internal: inline placement produced external data");
    return create(bytes, options, opts);
  }
  const key = fingerprint({ v: BUILDER_VERSION, spec: model.spec, variant: variantKey(variant), weights: weightsIdentity(model) });
  const file = join(cacheDir, `${model.spec.arch}-${key}.onnx`);
  if (!existsSync(file)) {
    const dataName = `${model.spec.arch}-${key}.onnx.data`;
    const big = [...model.weights.values()].reduce((a, t) => a + t.data.byteLength, 0) > EXTERNAL_DATA_BYTES;
    const placement: InitializerPlacement = big ? { kind: "external", fileName: dataName, minBytes: 1024 } : { kind: "inline" };
    const { model: bytes, external } = compile(model, variant, placement);
    mkdirSync(cacheDir, { recursive: true });
    // Data first, model last: the model file's presence means the cache entry is complete.
    if (external.length) writeChunksAtomic(join(cacheDir, dataName), external);
    writeFileAtomic(file, bytes);
    pruneCache(cacheDir, file);
  } else {
    const now = new Date();
    utimesSync(file, now, now); // mark as recently used for pruning
  }
  return create(file, options, opts);
}

function compile(model: LoadedModel, variant: GraphVariant, placement: InitializerPlacement) {
  return serializeModel(buildTransformerGraph(model.spec, model.weights, variant), placement);
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

/** Write several byte chunks as one file, atomically (temp file + rename), without concatenating them in memory. */
function writeChunksAtomic(path: string, chunks: Uint8Array[]): void {
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

/** Delete the least recently used cached graphs (and their data files) until the cache fits CACHE_LIMIT_BYTES. */
function pruneCache(cacheDir: string, keep: string): void {
  const entries = readdirSync(cacheDir).filter((f) => f.endsWith(".onnx")).map((f) => {
    const path = join(cacheDir, f), data = `${path}.data`;
    const size = statSync(path).size + (existsSync(data) ? statSync(data).size : 0);
    return { path, data, size, used: statSync(path).mtimeMs };
  }).sort((a, b) => a.used - b.used);
  let total = entries.reduce((a, e) => a + e.size, 0);
  for (const e of entries) {
    if (total <= CACHE_LIMIT_BYTES) break;
    if (e.path === keep) continue;
    rmSync(e.path, { force: true });
    rmSync(e.data, { force: true });
    total -= e.size;
  }
}
