/**
 * The inference engine: an ONNX graph built from a ModelSpec + canonical weights, run on onnxruntime-node,
 * with hook-site capture and per-sample steering designed into the graph.
 *   createEngine(model, opts) → Engine { forward, generate, dispose }
 *   encodePrompts(model, texts, { chat }) → token ids
 * The plain-TypeScript oracle (referenceForward, naiveGenerate) lives beside it for tests.
 */
export { createEngine } from "./engine";
export type { EngineOptions } from "./session";
export { encodePrompts } from "./prompts";
export { validateSteering } from "./steering-feeds";
export type * from "./types";
