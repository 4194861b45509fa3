import { availableParallelism } from "node:os";
import { join } from "node:path";
import { smallSpec, randomWeights } from "../lib/checkpoint/random";
import { createEngine, matmulProbe } from "../lib/engine";
import { upperMedian } from "../lib/math/index";
import type { Engine, SampleSteering } from "../lib/engine/types";
import type { LoadedModel } from "../lib/checkpoint/types";
import { writeJsonAtomic } from "../lib/util/atomic";
import { repoRoot } from "../lib/util/paths";
import { setProgressMode } from "../lib/util/progress";
import { createRng } from "../lib/util/rng";

/**
 * Engine throughput on a random ~134M-parameter Llama (12 layers, hidden 768, 12 heads / 4 kv heads,
 * intermediate 2048, vocab 32000; built in memory), each figure also as a fraction of the fp32 matmul
 * throughput ORT reaches on this machine in the same run (one 128×1024 · 1024×4096 MatMul graph).
 * Model FLOPs per token: 2 × (layer matmul parameters) + attention (2 × 2 × context × nHeads × headDim per
 * layer) + 2 × hidden × vocab for each position whose logits are computed.
 * Targets: prefill ≥ 50 % of the matmul peak, batch-64 decode ≥ 25 %.
 */
const SPEC = smallSpec("llama", { nLayers: 12, hidden: 768, nHeads: 12, nKvHeads: 4, intermediate: 2048, vocabSize: 32000, maxPositions: 2048, eosTokenIds: [] });
const threads = availableParallelism();


async function timeIt(reps: number, f: () => Promise<unknown>): Promise<number> {
  await f(); // warm-up (session creation, allocator growth)
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push((performance.now() - t0) / 1000);
  }
  return upperMedian(ts);
}

const layerParams = SPEC.nLayers * (SPEC.hidden * (SPEC.nHeads + 2 * SPEC.nKvHeads) * SPEC.headDim + SPEC.nHeads * SPEC.headDim * SPEC.hidden + 3 * SPEC.hidden * SPEC.intermediate);
/** FLOPs of `tokens` new tokens attending over `context` keys on average, with logits at `logitRows` positions. */
const flops = (tokens: number, context: number, logitRows: number): number =>
  tokens * (2 * layerParams + SPEC.nLayers * 4 * context * SPEC.nHeads * SPEC.headDim) + logitRows * 2 * SPEC.hidden * SPEC.vocabSize;

export async function run(): Promise<void> {
  setProgressMode("off");
  // The machine may be shared with other work: the matmul peak is measured right before each row, and each
  // row's fraction uses that measurement, so both sides of the ratio see the same load.
  const probe = await matmulProbe();
  const weights = randomWeights(SPEC, 0);
  const model: LoadedModel = {
    dir: "<bench>", spec: SPEC, weights, tokenizer: null,
    generation: { eosTokenIds: [], bosTokenId: null, padTokenId: 0 },
    info: { dtype: "F32", parameters: [...weights.values()].reduce((a, t) => a + t.data.length, 0), files: [] },
  };
  const engine: Engine = await createEngine(model, { threads, cacheDir: null });
  const rng = createRng(2);
  const ids = (b: number, t: number) => Array.from({ length: b }, () => Array.from({ length: t }, () => 3 + rng.int(SPEC.vocabSize - 3)));
  const steer = (b: number): SampleSteering[] => Array.from({ length: b }, (_, i) => ({
    window: "all", add: { "6.resid_post": Float32Array.from({ length: SPEC.hidden }, () => 0.1 * createRng(i).normal()) },
  }));
  const rows: { name: string; tokensPerS: number; gflops: number; peakGflops: number; ofPeak: number }[] = [];
  let peak = 0;
  const measurePeak = async () => { peak = await probe.measure(); };
  const record = (name: string, tokens: number, seconds: number, fl: number) => {
    const gflops = fl / seconds / 1e9;
    rows.push({ name, tokensPerS: tokens / seconds, gflops, peakGflops: peak, ofPeak: gflops / peak });
  };

  // Prefill: 4 prompts × 256 tokens, last-position logits (what generation's first step computes).
  const prefillIds = ids(4, 256);
  await measurePeak();
  const tPrefill = await timeIt(3, () => engine.forward(prefillIds, { logits: "last" }));
  record("prefill 4×256", 4 * 256, tPrefill, flops(4 * 256, 128, 4));

  // Capture: every layer's resid_post, no logits.
  await measurePeak();
  const tCapture = await timeIt(3, () => engine.forward(prefillIds, { capture: { sites: ["resid_post"] }, logits: "none" }));
  record("capture 4×256 (all resid_post)", 4 * 256, tCapture, flops(4 * 256, 128, 0));

  // Steered decode: 32-token prompts, 32 new tokens; decode time = generate(33) − generate(1) (prefill + first token).
  const NEW = 32, PROMPT = 32;
  for (const B of [1, 16, 64]) {
    const prompts = ids(B, PROMPT);
    const opts = { temperature: 0, steering: steer(B), eosTokenIds: [] };
    await measurePeak();
    const t1 = await timeIt(1, () => engine.generate(prompts, { ...opts, maxNewTokens: 1 }));
    const tN = await timeIt(1, () => engine.generate(prompts, { ...opts, maxNewTokens: NEW + 1 }));
    const s = tN - t1;
    record(`steered decode batch ${B}`, B * NEW, s, B * NEW > 0 ? flops(B * NEW, PROMPT + NEW / 2, B * NEW) : 0);
  }
  await engine.dispose();

  await probe.release();
  console.log(`fp32 matmul peak: ORT MatMul 128×1024·1024×4096 with ${threads} threads, measured before each row`);
  console.log(`model: ${(model.info.parameters / 1e6).toFixed(0)}M parameters (${(layerParams / 1e6).toFixed(0)}M in layers)`);
  for (const r of rows)
    console.log(`${r.name.padEnd(34)} ${r.tokensPerS.toFixed(1).padStart(9)} tok/s  ${r.gflops.toFixed(1).padStart(7)} GFLOP/s  ${(100 * r.ofPeak).toFixed(0).padStart(3)} % of matmul peak (${r.peakGflops.toFixed(1)} GFLOP/s)`);
  writeJsonAtomic(join(repoRoot(), "results", "bench", "engine.json"), { date: new Date().toISOString(), threads, parameters: model.info.parameters, rows });
}
