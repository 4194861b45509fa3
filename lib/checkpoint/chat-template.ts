import type { TokenizerJson } from "./bpe";
import type { TokenizerConfig } from "./tokenizer";

/**
 * The chat format of the project's own models: ChatML, as Qwen uses it.
 *   <|im_start|>{role}\n{content}<|im_end|>\n ... and, for generation, <|im_start|>assistant\n
 */
export const CHATML_TOKENS = { endOfText: "<|endoftext|>", start: "<|im_start|>", end: "<|im_end|>" } as const;

/** Special tokens of a ChatML tokenizer, in id order (pass to trainBpe). */
export const CHATML_SPECIAL_TOKENS: readonly string[] = [CHATML_TOKENS.endOfText, CHATML_TOKENS.start, CHATML_TOKENS.end];

export const defaultChatTemplate =
  "{% for message in messages %}" +
  "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * tokenizer_config.json for a ChatML tokenizer built by trainBpe: <|im_end|> ends a turn (eos), <|endoftext|>
 * pads, no BOS. clean_up_tokenization_spaces is off so decode(encode(text)) returns text exactly.
 */
export function chatTokenizerConfig(tokenizer: TokenizerJson, opts: { maxLength: number }): TokenizerConfig {
  const added = tokenizer.added_tokens as { id: number; content: string }[];
  for (const t of CHATML_SPECIAL_TOKENS)
    if (!added.some((a) => a.content === t)) throw new Error(`chatTokenizerConfig: the tokenizer lacks the special token ${t}`);
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    added_tokens_decoder: Object.fromEntries(added.map((a) => [String(a.id), {
      content: a.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true,
    }])),
    additional_special_tokens: [CHATML_TOKENS.start, CHATML_TOKENS.end],
    bos_token: null,
    eos_token: CHATML_TOKENS.end,
    pad_token: CHATML_TOKENS.endOfText,
    unk_token: null,
    chat_template: defaultChatTemplate,
    clean_up_tokenization_spaces: false,
    model_max_length: opts.maxLength,
  };
}
