import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { archByName, specToConfig, type ModelSpec } from "../lib/arch/index";
import { smallSpec } from "../lib/checkpoint/random";
import { floatToBf16, writeSafetensors } from "../lib/checkpoint/safetensors";
import { repoRoot } from "../lib/util/paths";
import { matmulProbe } from "../lib/engine/index";

/**
 * `npm run bench scale`: random checkpoints of real shapes (bf16 on disk, real vocabularies, no tokenizer: token
 * ids only), written once under .cache/bench/scale/ (git-ignored), run per weight format in fresh processes
 * (bench/scale-child.ts) so peak RSS is the process's own: a first run that builds the graphs (build time, its
 * peak RSS) and a second on the warm graph cache (peak RSS, first-token latency, steered greedy decode tokens/s at
 * batch 1/8/32). Ratios: against the fp32 matmul GFLOP/s onnxruntime reaches in this run, and against the
 * weights' bandwidth floor (tokens/s if each decode step only read the stored layer weights once at the memory
 * copy bandwidth measured in this run).
 * Which shapes and formats: STEERSYNTH_BENCH_SCALE="0.5B:fp32,int8,int4;1.2B:int4" (default "0.5B:fp32,int8,int4");
 * "fp32-noprepack" is fp32 with EngineOptions.prepack false (`--no-prepack`).
 *
 * Against transformers (optional; it is never a project dependency): with STEERSYNTH_BENCH_PYTHON=<a python that
 * has torch + transformers>, each shape also runs the issue's workload as whole processes, under /usr/bin/time —
 * steered greedy generation of 8 prompts × 32 tokens → 64 new tokens, transformers fp32 + a forward hook
 * (scripts/dev/hf_steered_generate.py) against `steersynth generate` per format on a warm graph cache (the CLI's,
 * .cache/onnx: the first, untimed run builds it) — and prints
 * wall time, peak RSS, the speed ratio and greedy agreement with transformers' tokens.
 */
const SHAPES: Record<string, ModelSpec> = {
  // Qwen2.5-0.5B
  "0.5B": smallSpec("qwen2", { vocabSize: 151936, hidden: 896, nLayers: 24, nHeads: 14, nKvHeads: 2, intermediate: 4864, maxPositions: 32768,
    norm: { kind: "rms", eps: 1e-6 }, positions: { kind: "rope", theta: 1e6, scaling: null }, tieEmbeddings: true, eosTokenIds: [151643] }),
  // Llama-3.2-1B
  "1.2B": smallSpec("llama", { vocabSize: 128256, hidden: 2048, nLayers: 16, nHeads: 32, nKvHeads: 8, intermediate: 8192, maxPositions: 131072,
    norm: { kind: "rms", eps: 1e-5 }, positions: { kind: "rope", theta: 500000, scaling: { type: "llama3", factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } },
    tieEmbeddings: true, eosTokenIds: [128001] }),
  // Llama-3.2-3B
  "3B": smallSpec("llama", { vocabSize: 128256, hidden: 3072, nLayers: 28, nHeads: 24, nKvHeads: 8, intermediate: 8192, maxPositions: 131072,
    norm: { kind: "rms", eps: 1e-5 }, positions: { kind: "rope", theta: 500000, scaling: { type: "llama3", factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } },
    tieEmbeddings: true, eosTokenIds: [128001] }),
  // Llama-3.1-8B
  "8B": smallSpec("llama", { vocabSize: 128256, hidden: 4096, nLayers: 32, nHeads: 32, nKvHeads: 8, intermediate: 14336, maxPositions: 131072,
    norm: { kind: "rms", eps: 1e-5 }, positions: { kind: "rope", theta: 500000, scaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } },
    tieEmbeddings: false, eosTokenIds: [128001] }),
};

const ROOT = repoRoot();
const DIR = join(ROOT, ".cache", "bench", "scale");

/**
 * Write a random bf16 checkpoint tensor by tensor (an 8B one never exists in memory as fp32): weights uniform with
 * the std of N(0, 0.02²), norm weights 1 ± that (statistics do not matter here, speed does).
 */
function writeCheckpoint(dir: string, spec: ModelSpec): void {
  const rules = archByName(spec.arch).tensorRules(spec);
  let offset = 0;
  const header: Record<string, unknown> = {};
  for (const r of rules) {
    const bytes = 2 * r.hfShape.reduce((a, b) => a * b, 1);
    header[r.hf] = { dtype: "BF16", shape: r.hfShape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "config.json"), JSON.stringify({ ...specToConfig(spec), torch_dtype: "bfloat16" }, null, 2));
  const fd = openSync(join(tmp, "model.safetensors"), "w");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeSync(fd, len);
  writeSync(fd, Buffer.from(json));
  // Values through a 65,536-entry table of bf16 numbers spread uniformly over (−a, a), indexed by the two halves of
  // a seeded xorshift32 word (so every run writes the same checkpoint): a few ns per value, no float maths.
  const a = 0.02 * Math.sqrt(3); // uniform(−a, a) has std 0.02
  const table = Uint16Array.from({ length: 65536 }, (_, i) => floatToBf16(a * (2 * (i + 0.5) / 65536 - 1)));
  const normTable = Uint16Array.from({ length: 65536 }, (_, i) => floatToBf16(1 + a * (2 * (i + 0.5) / 65536 - 1)));
  const chunk = new Uint16Array(1 << 22);
  let x = 0x9e3779b9 >>> 0;
  for (const r of rules) {
    const n = r.hfShape.reduce((x, y) => x * y, 1);
    const t = /norm|ln_/.test(r.hf) ? normTable : table;
    for (let done = 0; done < n; done += chunk.length) {
      const m = Math.min(chunk.length, n - done);
      for (let i = 0; i < m; i += 2) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        chunk[i] = t[x & 0xffff];
        chunk[i + 1] = t[x >>> 16]; // past m when m is odd: never written
      }
      writeSync(fd, new Uint8Array(chunk.buffer, 0, 2 * m));
    }
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/** A child killed by SIGKILL: on this machine, the kernel's out-of-memory killer (dmesg says so). */
class KilledChild extends Error {}

/** One fresh process of bench/scale-child.ts; its JSON line. */
function child(dir: string, format: string, cacheDir: string, phase: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "scale-child.ts"), dir, format, cacheDir, phase, ...extra],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" }, maxBuffer: 1 << 24 });
  const what = `bench scale: ${dir} ${format} ${phase} exited ${r.status ?? r.signal}: ${r.stderr.slice(-1500)}`;
  if (r.signal === "SIGKILL") throw new KilledChild(what);
  if (r.status !== 0) throw new Error(what);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** The random checkpoint of a shape (written on first use under .cache/bench/scale/<shape>); its folder. */
export function scaleCheckpoint(shape: string): string {
  const spec = SHAPES[shape];
  if (!spec) throw new Error(`bench scale: unknown shape '${shape}' (known: ${Object.keys(SHAPES).join(", ")})`);
  const dir = join(DIR, shape);
  if (!existsSync(join(dir, "model.safetensors"))) {
    const t0 = performance.now();
    writeCheckpoint(dir, spec);
    console.log(`(wrote ${dir} in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return dir;
}

/** Memory copy bandwidth, GB/s counting the bytes read and written (median of 5 copies of 512 MB). */
function copyBandwidth(): number {
  const n = 128 << 20, src = new Float32Array(n).fill(1), dst = new Float32Array(n);
  const ts: number[] = [];
  for (let i = 0; i < 6; i++) { const t0 = performance.now(); dst.set(src); ts.push((performance.now() - t0) / 1000); }
  ts.shift();
  ts.sort((x, y) => x - y);
  return (2 * n * 4) / ts[2] / 1e9;
}

/** Bytes a decode step must read for the layer weights (+ fp32 head/embedding rows read per step are not counted: lower bound). */
function layerWeightBytes(spec: ModelSpec, format: string): number {
  const { hidden: H, headDim: D, nHeads, nKvHeads, intermediate: I, nLayers } = spec;
  const params = nLayers * (H * (nHeads + 2 * nKvHeads) * D + nHeads * D * H + 3 * H * I);
  const head = spec.vocabSize * H; // the fp32 lm_head (tied: the embedding) is read every step in every format
  const perParam = format.startsWith("fp32") ? 4 : format === "int8" ? 1 + 4 / 32 : 0.5 + 4 / 32;
  return params * perParam + head * 4;
}

const gb = (b: number) => (b / 1e9).toFixed(2);

/** A whole process under /usr/bin/time: wall seconds and peak RSS (bytes). */
function timed(cmd: string, args: string[]): { wallS: number; maxRss: number } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "maxrss_kb=%M", cmd, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" }, maxBuffer: 1 << 26 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bench scale: ${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr.slice(-1500)}`);
  const kb = /maxrss_kb=(\d+)/.exec(r.stderr);
  if (!kb) throw new Error(`bench scale: no peak RSS from /usr/bin/time for ${cmd}`);
  return { wallS, maxRss: Number(kb[1]) * 1024 };
}

const readIds = (file: string): number[][] => readFileSync(file, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { ids: number[] }).ids);

/** Share of generated tokens equal to the reference's, counting each row up to its first difference (greedy agreement). */
function agreement(ref: number[][], got: number[][]): number {
  let same = 0, total = 0;
  ref.forEach((r, i) => {
    let k = 0;
    while (k < r.length && got[i][k] === r[k]) k++;
    same += k;
    total += r.length;
  });
  return same / total;
}

/**
 * The issue's workload, transformers fp32 + hook against steersynth per format, whole processes (see the module
 * comment). The steersynth CLI runs from its built bundle (`npm run build`); each format's graphs are built by a
 * first, untimed run.
 */
function compareWithTransformers(python: string, shape: string, dir: string, spec: ModelSpec, formats: string[]): void {
  const work = join(DIR, `hf-${shape}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Its own LCG, not lib/util/rng: the README's transformers rows were measured on exactly these ids and direction.
  let s = 12345;
  const next = () => { s = (s * 1103515245 + 12345) % 2147483648; return s; };
  const ids = Array.from({ length: 8 }, () => Array.from({ length: 32 }, () => 3 + (next() % (spec.vocabSize - 3))));
  writeFileSync(join(work, "ids.json"), JSON.stringify(ids));
  const layer = Math.floor(spec.nLayers / 2);
  // A unit direction at a mid layer, alpha 4: a visible but not text-breaking push on these random weights.
  const dirv = Float32Array.from({ length: spec.hidden }, () => (next() / 2147483648) * 2 - 1);
  const norm = Math.hypot(...dirv);
  writeSafetensors(join(work, "v.safetensors"), { [`direction.${layer}`]: { shape: [spec.hidden], data: dirv.map((x) => x / norm) } });
  const alpha = "4", newTokens = "64";
  const hf = timed(python, [join(ROOT, "scripts", "dev", "hf_steered_generate.py"), dir, join(work, "ids.json"), join(work, "v.safetensors"), alpha, newTokens, join(work, "hf.jsonl"), "2"]);
  const ref = readIds(join(work, "hf.jsonl"));
  console.log(`\n${shape}: 8 prompts × 32 tokens → 64 new tokens, steered (layer ${layer}, α ${alpha}), greedy, whole process, 2 threads`);
  console.log("| run | wall s | peak RSS GB | speed vs transformers | greedy agreement with transformers |");
  console.log("|---|---|---|---|---|");
  console.log(`| transformers fp32 + hook | ${hf.wallS.toFixed(1)} | ${gb(hf.maxRss)} | 1.00× | 1.000 |`);
  for (const format of formats) {
    const args = [join(ROOT, "bin", "steersynth.mjs"), "generate", "--model", dir, "--ids", join(work, "ids.json"), "--max-new-tokens", newTokens, "--temperature", "0",
      "--vector", join(work, "v.safetensors"), "--alpha", alpha, "--positions", "all", "--batch-size", "8", "--weights", format.replace(/-noprepack$/, ""),
      ...(format.endsWith("-noprepack") ? ["--no-prepack"] : []), "--out", join(work, `${format}.jsonl`)];
    // The CLI's own graph cache (.cache/onnx): a group for this checkpoint and format is built here and reused.
    timed(process.execPath, args); // builds the graphs
    const run = timed(process.execPath, args);
    console.log(`| steersynth ${format} (cached graphs) | ${run.wallS.toFixed(1)} | ${gb(run.maxRss)} | ${(hf.wallS / run.wallS).toFixed(2)}× | ${agreement(ref, readIds(join(work, `${format}.jsonl`))).toFixed(3)} |`);
  }
  rmSync(work, { recursive: true, force: true });
}

/** Quantized against fp32 on the same inputs, one table row per quantized format (needs the fp32 graph cache of this run). */
function driftRows(shape: string, dir: string, formats: string[], cachedPeak: Record<string, number>): void {
  // An 8B fp32 engine does not fit, so there is no fp32 cache to compare with there.
  const fp32Cache = join(DIR, `onnx-${shape}-fp32`);
  const quantized = formats.filter((f) => f === "int8" || f === "int4");
  if (!quantized.length || !existsSync(fp32Cache)) return;
  console.log(`\n${shape}: quantized vs fp32 — logits of 4 × 32 random tokens, CAA/PCA directions of 16 random pairs at the middle layer`);
  console.log("| format | logits max abs Δ | mean KL(fp32 ‖ q) per position | top-1 agreement | CAA cosine | PCA cosine |");
  console.log("|---|---|---|---|---|---|");
  for (const format of quantized) {
    // The drift process holds both engines: skipped where their cached peaks would not fit (the 3B shape's
    // fp32 15.1 GB + int8 7.3 GB was killed for memory on this 24 GB machine) rather than lose the rest of the run.
    // The sum is a lower bound (3B fp32 14.55 + int4 5.03 GB passed this check and the process reached 23 GB), so
    // a kill is reported as a row too, and the run goes on.
    const need = (cachedPeak.fp32 ?? Infinity) + cachedPeak[format];
    if (need > 0.8 * totalmem()) {
      console.log(`| ${format} | skipped: fp32 and ${format} engines together need ~${gb(need)} GB, over 80 % of this machine's ${gb(totalmem())} GB |  |  |  |  |`);
      continue;
    }
    try {
      const d = child(dir, format, join(DIR, `onnx-${shape}-${format}`), "drift", fp32Cache);
      console.log(`| ${format} | ${d.logitsMaxAbs.toFixed(3)} | ${d.klMean.toExponential(2)} | ${d.top1.toFixed(3)} | ${d.caaCos.toFixed(4)} | ${d.pcaCos.toFixed(4)} |`);
    } catch (e) {
      if (!(e instanceof KilledChild)) throw e;
      console.log(`| ${format} | killed (SIGKILL: out of memory, with fp32 and ${format} engines in one process; cached peaks ${gb(need)} GB together) |  |  |  |  |`);
    }
  }
}

export async function run(): Promise<void> {
  const plan = (process.env.STEERSYNTH_BENCH_SCALE ?? "0.5B:fp32,int8,int4").split(";").map((p) => {
    const [shape, formats] = p.split(":");
    if (!SHAPES[shape]) throw new Error(`bench scale: unknown shape '${shape}' (known: ${Object.keys(SHAPES).join(", ")})`);
    return { shape, formats: (formats ?? "fp32").split(",") };
  });
  const probe = await matmulProbe();
  const peak = await probe.measure();
  await probe.release();
  const bw = copyBandwidth();
  console.log(`matmul peak ${peak.toFixed(1)} GFLOP/s (ORT fp32, 128×1024·1024×4096); memory copy ${bw.toFixed(1)} GB/s`);
  console.log("| shape | format | ckpt bf16 GB | cache disk GB | build s | peak RSS build GB | peak RSS cached GB | RSS anon / file GB | first token s | tok/s b=1 | b=8 | b=32 | b=1 / floor | b=32 MFU |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const { shape, formats } of plan) {
    const spec = SHAPES[shape];
    const dir = scaleCheckpoint(shape);
    const ckpt = statSync(join(dir, "model.safetensors")).size;
    const cachedPeak: Record<string, number> = {};
    for (const format of formats) {
      const cacheDir = join(DIR, `onnx-${shape}-${format}`);
      rmSync(cacheDir, { recursive: true, force: true });
      const build = child(dir, format, cacheDir, "build");
      const warm = child(dir, format, cacheDir, "run");
      cachedPeak[format] = warm.maxRss;
      const disk = readdirSync(cacheDir).reduce((a, f) => a + statSync(join(cacheDir, f)).size, 0);
      const floor = bw * 1e9 / layerWeightBytes(spec, format);
      const flopsPerToken = 2 * (layerWeightBytes(spec, "fp32") / 4);
      console.log(`| ${shape} | ${format} | ${gb(ckpt)} | ${gb(disk)} | ${build.buildS.toFixed(1)} | ${gb(build.maxRss)} | ${gb(warm.maxRss)} | ${gb(warm.rssAnon)} / ${gb(warm.rssFile)} | ${warm.firstTokenS.toFixed(3)} | ${warm.tps[1].toFixed(2)} | ${warm.tps[8].toFixed(2)} | ${warm.tps[32].toFixed(2)} | ${(warm.tps[1] / floor).toFixed(2)} | ${((warm.tps[32] * flopsPerToken) / 1e9 / peak).toFixed(2)} |`);
    }
    // The graph caches go whatever happens in the drift rows (each is several GB at these shapes).
    try {
      driftRows(shape, dir, formats, cachedPeak);
    } finally {
      for (const format of formats) rmSync(join(DIR, `onnx-${shape}-${format}`), { recursive: true, force: true });
    }
    const python = process.env.STEERSYNTH_BENCH_PYTHON;
    if (python) compareWithTransformers(python, shape, dir, spec, formats);
  }
}
