import type { TextTokenizer } from "../../lib/checkpoint/types";

/**
 * A character-level tokenizer for tests: every character is one token (id = 10 + code mod 500), so "0".."9" are
 * single tokens and "10" is two. The chat template wraps the user turn in markers made of ordinary characters.
 */
export const charTokenizer: TextTokenizer = {
  vocabSize: 512,
  encode: (text) => Array.from(text, (c) => 10 + (c.codePointAt(0)! % 500)),
  decode: (ids) => ids.map((i) => String.fromCodePoint(i - 10)).join(""),
  applyChatTemplate: (messages, opts) => messages.map((m) => `[${m.role}]${m.content}`).join("") + (opts?.addGenerationPrompt ? "[assistant]" : ""),
};
