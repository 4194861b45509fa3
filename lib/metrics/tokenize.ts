/**
 * Tokenisation for the lexical metrics (distinct-n, entropy, repetition, Self-BLEU, the n-gram Vendi kernel):
 * lower-cased text split by `[\p{L}\p{N}']+|[^\s\p{L}\p{N}]` — runs of Unicode letters, digits and apostrophes,
 * or a single other non-space character (punctuation, symbols). Independent of any model's tokenizer so that
 * scores compare across models.
 */
const TOKEN = /[\p{L}\p{N}']+|[^\s\p{L}\p{N}]/gu;

export const tokenize = (text: string): string[] => text.toLowerCase().match(TOKEN) ?? [];
