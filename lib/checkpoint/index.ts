/**
 * Checkpoints on disk: load and save Hugging Face causal-LM folders, tokenizers and chat templates, BPE
 * training, and small random models.
 */
export { loadModel } from "./load";
export { saveModel, type CheckpointContents, type SaveOptions } from "./save";
export { randomWeights, smallSpec, type SmallSpecOverrides } from "./random";
export { trainBpe, type BpeOptions, type TokenizerJson } from "./bpe";
export { CHATML_SPECIAL_TOKENS, CHATML_TOKENS, chatTokenizerConfig, defaultChatTemplate } from "./chat-template";
export { HfTokenizer, loadTokenizer, type TokenizerConfig } from "./tokenizer";
export { SAMPLE_ENGLISH } from "./sample-text";
export { readSafetensors, writeSafetensors } from "./safetensors";
export type * from "./types";
