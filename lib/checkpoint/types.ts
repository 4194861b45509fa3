import type { ModelSpec, TensorF32, Weights } from "../arch/index";

/** What a checkpoint folder holds once loaded: the model, its tokenizer and chat template, its generation defaults. */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface TextTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** Renders the checkpoint's chat template (Jinja) to text; encode it with addSpecialTokens: false. */
  applyChatTemplate(messages: readonly ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  readonly vocabSize: number;
}

export interface GenerationConfig {
  eosTokenIds: number[];
  bosTokenId: number | null;
  padTokenId: number | null;
  temperature?: number;
  topP?: number;
  topK?: number;
}

/** A checkpoint loaded from disk: what every engine is built from. */
export interface LoadedModel {
  dir: string;
  spec: ModelSpec;
  /** Canonical fp32 weights. From loadModel: decoded on first access, then kept (read it only where needed). */
  weights: Weights;
  /**
   * One canonical weight for a one-off use (an engine's graph build streams the checkpoint through it): `weights`'
   * tensor if already decoded, else read from the files and not kept. Absent on in-memory models.
   */
  readTensor?: (name: string) => TensorF32;
  tokenizer: TextTokenizer | null;
  generation: GenerationConfig;
  /** Human-readable facts for `inspect` (stored dtype, parameter count, files). */
  info: { dtype: string; parameters: number; files: string[] };
}
