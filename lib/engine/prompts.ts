import type { LoadedModel, TextTokenizer } from "../checkpoint/index";
import type { EncodedText } from "./read";

/**
 * Text prompts → token ids for `generate`. With `chat`, each prompt becomes one user turn rendered through the
 * checkpoint's chat template (with the generation prompt) and encoded without adding special tokens again
 * (the template writes them); without it, the text is encoded with the tokenizer's special tokens (BOS).
 */
export function encodePrompts(model: LoadedModel, prompts: readonly string[], opts: { chat?: boolean; system?: string } = {}): number[][] {
  const tok = model.tokenizer;
  if (!tok) throw new Error(`${model.dir}: the checkpoint has no tokenizer, so text prompts cannot be encoded (pass token ids instead)`);
  return prompts.map((text) => (opts.chat ? chatPrompt(tok, text, opts.system) : tok.encode(text)));
}

/** The one chat rendering: an optional system turn and a user turn through the template, with the generation prompt. */
function chatPrompt(tok: TextTokenizer, user: string, system?: string): number[] {
  const messages = [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user" as const, content: user }];
  return tok.encode(tok.applyChatTemplate(messages, { addGenerationPrompt: true }), { addSpecialTokens: false });
}

/**
 * One chat exchange as the model sees it: the user turn rendered through the chat template with the generation
 * prompt, then the assistant response's tokens (no special tokens added). The response span is
 * [responseStart, responseEnd). Used for contrast pairs, detector features and fine-tuning alike.
 */
export function encodeExchange(tok: TextTokenizer, user: string, response: string, where: string): EncodedText {
  const prompt = chatPrompt(tok, user);
  const resp = tok.encode(response, { addSpecialTokens: false });
  if (resp.length === 0) throw new Error(`${where}: the response encodes to no tokens`);
  const ids = [...prompt, ...resp];
  return { ids, responseStart: prompt.length, responseEnd: ids.length };
}

/**
 * An exchange cut to its first maxLen tokens (the prompt template and the start of the response), keeping at
 * least one response token even when the prompt alone reaches maxLen.
 */
export function truncateExchange(e: EncodedText, maxLen: number): EncodedText {
  if (e.ids.length <= maxLen) return e;
  return { ids: e.ids.slice(0, maxLen), responseStart: Math.min(e.responseStart, maxLen - 1), responseEnd: maxLen };
}
