import { readFileSync } from "node:fs";
import { loadModel } from "../lib/checkpoint/index";
import { createEngine, logitDrift, type Engine, type SampleSteering, type WeightFormat } from "../lib/engine/index";
import { cosine, meanRows, principalAxis, row, subtract } from "../lib/math/index";
import { createRng } from "../lib/util/rng";

/**
 * One process of bench/scale.bench.ts: `build` opens the engine on an empty graph cache (build time = load +
 * first prefill/decode session opens); `run` opens it on the warm cache and times first-token latency (batch 1,
 * 32-token prompt, 1 new token) and steered greedy decode at batch 1/8/32 (16 new tokens minus the 1-token run,
 * so prefill is not counted). Prints one JSON line; maxRss is the process's peak resident set (bytes); rssAnon and
 * rssFile split the resident set at the end (sessions open). Format "fp32-noprepack": fp32 with prepack: false.
 */
const [dir, formatArg, cacheDir, phase] = process.argv.slice(2);
// "fp32-noprepack": fp32 with EngineOptions.prepack false
const format = formatArg.replace(/-noprepack$/, "") as WeightFormat;
const t0 = performance.now();
const model = await loadModel(dir);
const engine = await createEngine(model, { cacheDir, weights: format, prepack: !formatArg.endsWith("-noprepack") });
const rng = createRng(1);
const prompts = (b: number) => Array.from({ length: b }, () => Array.from({ length: 32 }, () => 3 + rng.int(model.spec.vocabSize - 3)));
const layer = Math.floor(model.spec.nLayers / 2);
const steering = (b: number): SampleSteering[] => Array.from({ length: b }, () => ({
  window: "all", add: { [`${layer}.resid_post`]: Float32Array.from({ length: model.spec.hidden }, () => 0.05 * rng.normal()) },
}));
/**
 * Quantization drift on random checkpoints: logits of 4 prompts × 32 tokens (max |Δ|, mean KL(fp32 ‖ q) per
 * position, top-1 agreement), and the CAA and PCA directions at `layer` (resid_post at the last token) of 16 pairs
 * that share a random 28-token prefix and end in one of two fixed 4-token suffixes: cosine fp32 vs q.
 */
async function drift(ref: Engine, q: Engine, V: number, H: number, layer: number): Promise<Record<string, number>> {
  const ids = prompts(4);
  const d = logitDrift((await ref.forward(ids)).logits, (await q.forward(ids)).logits, V);
  const suffix = [prompts(1)[0].slice(0, 4), prompts(1)[0].slice(0, 4)];
  const prefixes = prompts(16).map((p) => p.slice(0, 28));
  // Paired differences [16, H]: resid_post at the last token, suffix 0 minus suffix 1.
  const read = async (e: Engine): Promise<Float32Array> => {
    const key = `${layer}.resid_post`;
    const lastTokens = async (k: number) => {
      const cap = (await e.forward(prefixes.map((p) => [...p, ...suffix[k]]), { capture: { sites: ["resid_post"], layers: [layer] }, logits: "none" })).captures.get(key)!;
      return Float32Array.from(prefixes.flatMap((_, i) => [...row(cap, H, i * 32 + 31)]));
    };
    return subtract(await lastTokens(0), await lastTokens(1));
  };
  // CAA: the mean difference; PCA: the first principal axis of the differences (lib/math, as the methods use).
  const directions = (diffs: Float32Array) => ({ caa: meanRows(diffs, H), pca: principalAxis(diffs, H) });
  const [da, db] = [directions(await read(ref)), directions(await read(q))];
  return { logitsMaxAbs: d.maxAbs, klMean: d.kl, top1: d.top1, caaCos: cosine(da.caa, db.caa), pcaCos: Math.abs(cosine(da.pca, db.pca)) };
}

const gen = async (b: number, n: number) => {
  const p = prompts(b), s = steering(b);
  const t = performance.now();
  await engine.generate(p, { maxNewTokens: n, steering: s, eosTokenIds: [] });
  return (performance.now() - t) / 1000;
};
const out: Record<string, unknown> = {};
if (phase === "drift") {
  // This quantized engine against the fp32 one (its graphs cached in argv[6]) on the same inputs.
  const ref = await createEngine(model, { cacheDir: process.argv[6], weights: "fp32" });
  Object.assign(out, await drift(ref, engine, model.spec.vocabSize, model.spec.hidden, layer));
  await ref.dispose();
} else if (phase === "build") {
  await gen(1, 2); // builds and opens the prefill and decode graphs
  out.buildS = (performance.now() - t0) / 1000;
} else {
  await gen(1, 2); // open the sessions
  out.firstTokenS = await gen(1, 1);
  const tps: Record<number, number> = {};
  for (const b of [1, 8, 32]) tps[b] = (b * 15) / (await gen(b, 16) - await gen(b, 1));
  out.tps = tps;
}
// Resident memory now (sessions open), split: anonymous (the process's own allocations: onnxruntime's prepacked
// weights, arenas, JS) and file-backed (pages of the mmapped weight file, shared and reclaimable by the kernel).
const status = readFileSync("/proc/self/status", "utf8");
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
out.rssAnon = kb("RssAnon");
out.rssFile = kb("RssFile");
await engine.dispose();
out.maxRss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify(out));
