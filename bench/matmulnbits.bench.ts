import * as ort from "onnxruntime-node";
import { GraphBuilder, serializeModel } from "../lib/engine/onnx-builder";
import { quantizeRows } from "../lib/engine/quantize";
import { createRng } from "../lib/util/rng";

/**
 * Why int8 runs MatMulNBits at accuracy level 4 (lib/engine/quantize.ts ACCURACY_LEVEL): one [M, 2048] · [8192, 2048]ᵀ
 * product (a Llama-3.2-1B MLP matrix) as the fp32 Gemm the engine uses, and as MatMulNBits with 4- and 8-bit weights
 * at accuracy levels 0 (fp32 compute) and 4 (int8 compute), M = 1 (decode) and 32; mean of 10 runs after a warm-up,
 * 2 threads, with each time also as a ratio to the fp32 Gemm measured in the same loop.
 */
export async function run(): Promise<void> {
  const rng = createRng(1);
  const K = 2048, N = 8192;
  const w = Float32Array.from({ length: N * K }, () => rng.normal());
  console.log("| M | weights | accuracy_level | ms | / fp32 Gemm |\n|---|---|---|---|---|");
  for (const M of [1, 32]) {
    const x = new ort.Tensor("float32", Float32Array.from({ length: M * K }, () => rng.normal()), [M, K]);
    let fp32 = 0;
    for (const [bits, acc] of [[0, 0], [4, 0], [8, 0], [4, 4], [8, 4]] as const) {
      const b = new GraphBuilder();
      const xi = b.input("x", "float", [M, K]);
      if (bits === 0) b.output("y", b.op("Gemm", [xi, b.float("W", [N, K], w)], { transB: 1 }), "float", [M, N]);
      else {
        const qz = quantizeRows(w, N, K, bits);
        const B = b.uint8("B", [N, qz.nBlocks, (32 * bits) / 8], qz.packed), S = b.float("S", [N, qz.nBlocks], qz.scales);
        b.output("y", b.op("MatMulNBits", [xi, B, S], { K, N, bits, block_size: 32, accuracy_level: acc }, "com.microsoft"), "float", [M, N]);
      }
      const s = await ort.InferenceSession.create(serializeModel(b, { kind: "inline" }), { intraOpNumThreads: 2, graphOptimizationLevel: "all" });
      await s.run({ x });
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) await s.run({ x });
      const ms = (performance.now() - t0) / 10;
      if (bits === 0) fp32 = ms;
      console.log(`| ${M} | ${bits ? `${bits}-bit` : "fp32 Gemm"} | ${bits ? acc : "—"} | ${ms.toFixed(2)} | ${(ms / fp32).toFixed(2)} |`);
      await s.release();
    }
  }
}
