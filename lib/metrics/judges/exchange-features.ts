import { type Engine, captureActivations, encodeExchange, truncateExchange } from "../../engine/index";
import { tokenize } from "../tokenize";
import { fnv1a } from "./hashed-features";
import type { JudgeItem } from "./types";

/**
 * Features of a whole exchange (user turn + response) for the exchange success judge, three unit-length blocks:
 *   mean    the reference model's top-layer resid_post averaged over the response tokens, with the user turn in
 *           context (chat template): the response as read in the light of what the user said;   [hidden]
 *   last    the same site at the response's last token;                                          [hidden]
 *   lexical hashed word uni/bigrams of the response in which every word (≥ 3 letters) that also occurs in the
 *           user turn is replaced by "<u>": "you're right, <u> <u> <u>" vs "actually, <u> <u> 1989" — the
 *           user × response interaction, independent of which entity the exchange is about.     [lexicalDim]
 * Unit blocks give each view the same weight before the classifier's standardisation.
 */
export const LEXICAL_DIM = 1 << 11;
export const COPIED = "<u>";

/** Response tokens with the words copied from the user turn replaced by COPIED. */
export function delexicalise(user: string | undefined, response: string): string[] {
  const said = new Set(tokenize(user ?? ""));
  return tokenize(response).map((w) => (w.length >= 3 && said.has(w) ? COPIED : w));
}

function unitInto(dst: Float32Array, offset: number, src: Float32Array): void {
  let ss = 0;
  for (const x of src) ss += x * x;
  const k = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let i = 0; i < src.length; i++) dst[offset + i] = src[i] * k;
}

function lexicalInto(dst: Float32Array, offset: number, item: JudgeItem): void {
  const row = new Float32Array(LEXICAL_DIM);
  const t = delexicalise(item.user, item.response);
  t.forEach((w, k) => {
    row[fnv1a(w) % LEXICAL_DIM] += 1;
    if (k > 0) row[fnv1a(`${t[k - 1]} ${w}`) % LEXICAL_DIM] += 1;
  });
  for (let k = 0; k < LEXICAL_DIM; k++) if (row[k] > 0) row[k] = Math.log1p(row[k]);
  unitInto(dst, offset, row);
}

export const exchangeFeatureWidth = (engine: Engine): number => 2 * engine.model.spec.hidden + LEXICAL_DIM;

/** Feature rows [n, exchangeFeatureWidth] of the items, in order. Empty responses are an error. */
export async function exchangeFeatures(engine: Engine, items: readonly JudgeItem[]): Promise<Float32Array> {
  const spec = engine.model.spec, tok = engine.model.tokenizer;
  if (!tok) throw new Error(`${engine.model.dir}: the exchange judge needs the model's tokenizer`);
  const top = spec.nLayers - 1, H = spec.hidden, W = exchangeFeatureWidth(engine);
  const encoded = items.map((it, i) => truncateExchange(encodeExchange(tok, it.user ?? "", it.response, `judged item ${i}`), spec.maxPositions));
  const read = async (policy: "mean" | "last") =>
    (await captureActivations(engine, encoded, { sites: ["resid_post"], layers: [top], read: policy, batchSize: 32, label: `judge features (${policy})` })).get(`${top}.resid_post`)!; // [n, H]
  const mean = await read("mean"), last = await read("last");
  const x = new Float32Array(items.length * W); // [n, W]
  items.forEach((it, i) => {
    unitInto(x, i * W, mean.subarray(i * H, (i + 1) * H));
    unitInto(x, i * W + H, last.subarray(i * H, (i + 1) * H));
    lexicalInto(x, i * W + 2 * H, it);
  });
  return x;
}
