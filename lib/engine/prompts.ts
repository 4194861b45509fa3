import type { LoadedModel } from "./types";

/**
 * Text prompts → token ids for `generate`. With `chat`, each prompt becomes one user turn rendered through the
 * checkpoint's chat template (with the generation prompt) and encoded without adding special tokens again
 * (the template writes them); without it, the text is encoded with the tokenizer's special tokens (BOS).
 */
export function encodePrompts(model: LoadedModel, prompts: readonly string[], opts: { chat?: boolean; system?: string } = {}): number[][] {
  const tok = model.tokenizer;
  if (!tok) throw new Error(`${model.dir}: the checkpoint has no tokenizer, so text prompts cannot be encoded (pass token ids instead)`);
  return prompts.map((text) => {
    if (!opts.chat) return tok.encode(text);
    const messages = [...(opts.system ? [{ role: "system" as const, content: opts.system }] : []), { role: "user" as const, content: text }];
    return tok.encode(tok.applyChatTemplate(messages, { addGenerationPrompt: true }), { addSpecialTokens: false });
  });
}
