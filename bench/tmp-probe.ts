import { smallSpec, randomWeights } from "../lib/checkpoint/random";
import { buildTransformerGraph } from "../lib/engine/graph";
import { serializeModel } from "../lib/engine/onnx-builder";
import { steeringVectors } from "../lib/engine/steering-feeds";
import * as ort from "onnxruntime-node";
const SPEC = smallSpec("llama", { nLayers: 12, hidden: 768, nHeads: 12, nKvHeads: 4, intermediate: 2048, vocabSize: 32000, maxPositions: 2048, eosTokenIds: [] });
const weights = randomWeights(SPEC, 0);
const { model } = serializeModel(buildTransformerGraph(SPEC, weights, { logits: "last", kv: true, capture: { sites: [], layers: [] } }), { kind: "inline" });
const s = await ort.InferenceSession.create(model, { graphOptimizationLevel: "all", intraOpNumThreads: 2 });
const B = 64;
for (const P of [16, 48, 256, 512, 48]) {
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", new BigInt64Array(B).fill(5n), [B, 1]),
    position_ids: new ort.Tensor("int64", new BigInt64Array(B).fill(BigInt(P)), [B, 1]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(B * (P + 1)).fill(1n), [B, P + 1]),
    steer_mask: new ort.Tensor("float32", new Float32Array(B).fill(1), [B, 1]),
  };
  for (const [n, d] of steeringVectors(SPEC, undefined, B)) feeds[n] = new ort.Tensor("float32", d, [B, d.length / B]);
  for (let l = 0; l < 12; l++) for (const k of ["past_key", "past_value"]) feeds[`${k}.${l}`] = new ort.Tensor("float32", new Float32Array(B * 4 * P * 64), [B, 4, P, 64]);
  const ts = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await s.run(feeds); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log("B", B, "past", P, "step ms", ts[2].toFixed(1));
}
