/**
 * lib/train — training on TensorFlow.js (README.md in this folder):
 *   backend         initTf(): the fastest tfjs backend present
 *   model           buildTfModel: the differentiable twin of the inference graph over canonical weights
 *   loop            trainLM: next-token training (AdamW, warmup + cosine, clipping, seeded batches)
 *   chat-data       rendered dialogues → training sequences
 *   default-models  the default models' recipe and tokenizer
 */
export * from "./backend";
export * from "./model";
export * from "./loop";
export * from "./chat-data";
export * from "./default-models";
