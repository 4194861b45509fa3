import type { TextTokenizer } from "../../checkpoint/index";

/**
 * The score tokens "0".."10" an LLM judge answers with, as single vocabulary ids. Strings that the tokenizer
 * splits into several tokens (often "10") are left out: the expected score is then normalised over the tokens
 * that exist, which the judge's id records. At least 0 and one other value must be single tokens.
 */
export interface ScoreTokens { ids: number[]; values: number[] }

export function scoreTokens(tokenizer: TextTokenizer): ScoreTokens {
  const ids: number[] = [], values: number[] = [];
  for (let v = 0; v <= 10; v++) {
    const enc = tokenizer.encode(String(v), { addSpecialTokens: false });
    if (enc.length === 1) { ids.push(enc[0]); values.push(v); }
  }
  if (values.length < 2 || values[0] !== 0) throw new Error(`LLM judge: the tokenizer has single tokens only for scores [${values.join(", ")}]; need "0" and at least one more`);
  return { ids, values };
}

/**
 * Probability-weighted score in [0, 1]: softmax over the score tokens' logits only (i.e. the next-token
 * distribution renormalised to the score tokens), expected value, divided by 10.
 */
export function expectedScore(logits: Float32Array, tokens: ScoreTokens): number {
  const ls = tokens.ids.map((id) => logits[id]);
  const max = Math.max(...ls);
  const ps = ls.map((l) => Math.exp(l - max));
  const z = ps.reduce((a, b) => a + b, 0);
  return ps.reduce((s, p, i) => s + p * tokens.values[i], 0) / z / 10;
}
