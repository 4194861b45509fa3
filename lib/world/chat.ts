/**
 * ChatML rendering, the chat format of the default models:
 * `<|im_start|>system\n...<|im_end|>\n<|im_start|>user\n...<|im_end|>\n<|im_start|>assistant\n...<|im_end|>\n`.
 */
export const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";
export const END_OF_TEXT = "<|endoftext|>";
/** Special tokens of the default tokenizer (each one token, never split by BPE). */
export const SPECIAL_TOKENS: readonly string[] = [END_OF_TEXT, IM_START, IM_END];

export type Role = "system" | "user" | "assistant";
export interface ChatMessage {
  role: Role;
  content: string;
}

const block = (m: ChatMessage): string => {
  for (const tok of SPECIAL_TOKENS)
    if (m.content.includes(tok)) throw new Error(`chat ${m.role} message contains the special token ${tok}`);
  return `${IM_START}${m.role}\n${m.content}${IM_END}\n`;
};

/**
 * Render messages as ChatML. With `addGenerationPrompt`, end with the open assistant header
 * (`<|im_start|>assistant\n`) that generation continues from.
 */
export function renderChat(messages: readonly ChatMessage[], addGenerationPrompt = false): string {
  return messages.map(block).join("") + (addGenerationPrompt ? `${IM_START}assistant\n` : "");
}

/** The messages of a single-turn dialogue (system turn optional). */
export const dialogue = (user: string, assistant?: string, system?: string): ChatMessage[] => [
  ...(system ? [{ role: "system" as const, content: system }] : []),
  { role: "user", content: user },
  ...(assistant !== undefined ? [{ role: "assistant" as const, content: assistant }] : []),
];
