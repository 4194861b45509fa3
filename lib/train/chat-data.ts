import type { TextTokenizer } from "../checkpoint/index";
import type { TrainExample } from "./loop";

/**
 * Rendered chat dialogues (ChatML text, as lib/world's corpus and the tokenizer's chat template produce them) →
 * training sequences, encoded without extra special tokens (the text already holds <|im_start|>/<|im_end|>).
 *
 * Loss on every token, not only the assistant's: the corpus is the model's entire knowledge of its world, and
 * user and system turns are in-world text too, so they add signal at no cost; modelling the prompt also makes
 * the residual stream carry the prompt's concept, which is what the steering methods read. Generation still
 * ends at the assistant's <|im_end|> (the EOS), so the model never has to produce a user turn.
 */
export function chatExamples(tokenizer: TextTokenizer, dialogues: readonly string[]): TrainExample[] {
  return dialogues.map((text, i) => {
    const ids = tokenizer.encode(text, { addSpecialTokens: false });
    if (ids.length < 2) throw new Error(`chatExamples: dialogue ${i} encodes to ${ids.length} token(s)`);
    return { ids };
  });
}

/** The plain text of a rendered dialogue with the given special tokens removed (input for BPE training). */
export const withoutSpecialTokens = (text: string, specials: readonly string[]): string =>
  specials.reduce((t, s) => t.split(s).join(""), text);
