import type { SiteName } from "../arch/index";
import type { LoadedModel } from "../checkpoint/index";

/**
 * Engine-facing types shared by the ONNX engine, the reference forward, steering methods, metrics and
 * detectors; the checkpoint's own types (LoadedModel, TextTokenizer, GenerationConfig) live in
 * lib/checkpoint/types. Shapes are written beside each field; every flat Float32Array is row-major.
 */

/** Which positions a steering intervention touches (half-open in time: prompt = [0, promptLen), generated = [promptLen, ∞)). */
export type SteerWindow = "prompt" | "generated" | "all";

/**
 * Steering for one sample of a batch, lowered to what the graph consumes. Keys are `${layer}.${site}`.
 * - add: vectors already multiplied by their strength, added to the site's output at the window's positions;
 * - ablate: unit directions d at resid_post; x ← x − (x·d) d is applied before any addition at that site.
 * A key naming a layer or site that the model does not have is an error, never a no-op.
 */
export interface SampleSteering {
  add?: Record<string, Float32Array>;
  ablate?: Record<string, Float32Array>;
  window: SteerWindow;
}

export interface ForwardOptions {
  /** Activations to return: sites at layers (all layers when omitted). */
  capture?: { sites: SiteName[]; layers?: number[] };
  /** One entry per sample (null = unsteered); length must equal the batch size. */
  steering?: (SampleSteering | null)[];
  /**
   * Which logits to return (default "all"). "targets": every position's log-probability of the sequence's own next
   * token (ForwardResult.targetLogprobs), computed in the graph, plus the last position's logits, as "last".
   */
  logits?: "all" | "last" | "none" | "targets";
  /**
   * Per sample, how many leading real tokens are prompt (steering windows: prompt = [0, p), generated = [p, len)).
   * Default: the whole sequence is prompt.
   */
  promptLengths?: number[];
}

export interface ForwardResult {
  /** Sequences are left-padded to a common length T; pad[b] tokens of padding precede sample b. */
  pad: number[];
  seqLen: number;
  /** [B, T, V] for "all", [B, V] for "last" and "targets", empty for "none". */
  logits: Float32Array;
  /**
   * "targets" only: [B, T], at (b, pad[b] + p − 1) log p(token p | tokens < p) of sample b (float32 log-softmax);
   * the last position and padding hold 0.
   */
  targetLogprobs?: Float32Array;
  /** `${layer}.${site}` → [B, T, width] (attn_out width = nHeads*headDim, head-major). */
  captures: Map<string, Float32Array>;
}

export interface SamplingOptions {
  maxNewTokens: number;
  /** 0 = greedy. */
  temperature?: number;
  topP?: number;
  topK?: number;
  /** One seed per prompt (or one base seed from which per-prompt seeds are derived by index). */
  seeds?: number[];
  seed?: number;
  /** Token ids that end a sample (default: the checkpoint's EOS ids). */
  eosTokenIds?: number[];
  /** Strings that end a sample; the text is cut before the stop string. Needs a tokenizer. */
  stop?: string[];
  steering?: (SampleSteering | null)[];
  /** How many prompts run together (default: all). Results never depend on it. */
  batchSize?: number;
}

export interface Generation {
  /** Generated token ids (prompt excluded; EOS excluded). */
  ids: number[];
  text?: string;
  finish: "eos" | "stop" | "length";
}

/** A model ready for inference with hook sites and steering. */
export interface Engine {
  readonly model: LoadedModel;
  forward(ids: readonly (readonly number[])[], opts?: ForwardOptions): Promise<ForwardResult>;
  generate(prompts: readonly (readonly number[])[], opts: SamplingOptions): Promise<Generation[]>;
  dispose(): Promise<void>;
}
