import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import { upperMedian } from "../math/index";
import { createRng } from "../util/index";
import { GraphBuilder, serializeModel } from "./onnx-builder";

/**
 * The machine's speed right now, as the fp32 GFLOP/s onnxruntime reaches on one 128×1024 · 1024×4096 MatMul with the
 * engine's session settings (median of `reps` runs after a warm-up). Timings taken on different days or beside
 * other work are compared through it: the benchmarks print their figures as fractions of it, and the study prints
 * it beside its stage times (this 2-core machine: 199.5 GFLOP/s on 2026-12-02, 152–183 on 2026-12-07).
 */
export async function matmulProbe(threads = availableParallelism()): Promise<{ measure(reps?: number): Promise<number>; release(): Promise<void> }> {
  const M = 128, K = 1024, N = 4096;
  const b = new GraphBuilder();
  const rng = createRng(1);
  const w = b.float("w", [K, N], Float32Array.from({ length: K * N }, () => rng.normal()));
  b.output("y", b.op("MatMul", [b.input("x", "float", [M, K]), w]), "float", [M, N]);
  const session = await ort.InferenceSession.create(serializeModel(b, { kind: "inline" }), { intraOpNumThreads: threads, graphOptimizationLevel: "all" });
  const x = new ort.Tensor("float32", Float32Array.from({ length: M * K }, () => rng.normal()), [M, K]);
  return {
    async measure(reps = 20) {
      await session.run({ x }); // warm-up (allocator growth)
      const ts: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await session.run({ x });
        ts.push((performance.now() - t0) / 1000);
      }
      return (2 * M * K * N) / upperMedian(ts) / 1e9;
    },
    release: () => session.release(),
  };
}

/** One probe measurement, its session released. */
export async function matmulGflops(reps?: number): Promise<number> {
  const probe = await matmulProbe();
  try { return await probe.measure(reps); } finally { await probe.release(); }
}
