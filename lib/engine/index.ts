/**
 * The inference engine: an ONNX graph built from a ModelSpec + canonical weights, run on onnxruntime-node,
 * with hook-site capture and per-sample steering designed into the graph.
 *   createEngine(model, opts) → Engine { forward, generate, dispose }
 *   encodePrompts(model, texts, { chat }) → token ids; encodeExchange / truncateExchange: one (user, response)
 *     exchange as the model sees it, and the one truncation rule (first maxLen tokens) every consumer uses
 *   captureActivations(engine, texts, { sites, layers, read }) under a reading policy (read.ts)
 *   matmulProbe / matmulGflops: the machine's speed now (fp32 matmul GFLOP/s), to compare timings across days
 * The plain-TypeScript oracle (referenceForward, naiveGenerate) lives beside it for tests.
 */
export { createEngine, tokenLogprob } from "./engine";
export type { EngineOptions, WeightOptionNames } from "./session";
export { weightOptionsProblem } from "./session";
export { matmulGflops, matmulProbe } from "./speed-probe";
export { logitDrift, WEIGHT_FORMATS, type LogitDrift, type WeightFormat } from "./quantize";
export { validateSteering } from "./steering-feeds";
export { validateSampling } from "./sampling";
export type * from "./types";
export { encodeExchange, encodePrompts, truncateExchange } from "./prompts";
export { captureActivations, forwardByLength, readRows, type ByLengthOptions, type CaptureOptions } from "./capture";
export { READ_POLICIES, readPositions, type EncodedText, type ReadPolicy } from "./read";
