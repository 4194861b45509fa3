import { describe, expect, it } from "vitest";
import { smallSpec, randomWeights } from "../../lib/checkpoint/random";
import { referenceForward } from "../../lib/engine/reference";
import type { Engine, ForwardResult } from "../../lib/engine/types";
import { coherenceFromPerplexity, perplexityCoherence, pooledPerplexity, responseNll, responseTokenNll } from "../../lib/metrics/coherence";
import { engineEmbedder } from "../../lib/metrics/embed";
import { engineJudge } from "../../lib/metrics/judges/engine-judge";
import { expectedScore, scoreTokens } from "../../lib/metrics/judges/score-tokens";
import { referenceEngine } from "../steering/reference-engine";
import { charTokenizer } from "./model-fixtures";

const spec = smallSpec("llama", { bosTokenId: 1, nLayers: 2 });
const weights = randomWeights(spec, 9);
const engine = referenceEngine(spec, weights, charTokenizer);

/** log softmax of one row, written out directly. */
const logProb = (row: Float32Array, tok: number): number => {
  const z = Array.from(row).reduce((s, x) => s + Math.exp(x), 0);
  return row[tok] - Math.log(z);
};

describe("perplexity coherence", () => {
  it("response NLL equals per-sequence unpadded scoring (left padding and offsets), 1e-5", async () => {
    const items = [
      { promptIds: [1, 5, 6], responseIds: [7, 8, 9, 10] },
      { promptIds: [1], responseIds: [20] },
      { promptIds: [1, 2, 3, 4, 5, 6, 7], responseIds: [30, 31] },
    ];
    const got = await responseNll(engine, items, { batchSize: 3 });
    items.forEach((it, i) => {
      const ids = [...it.promptIds, ...it.responseIds];
      const { logits } = referenceForward(spec, weights, [ids]);
      const V = spec.vocabSize;
      const nll = -it.responseIds.reduce((s, tok, r) => {
        const t = it.promptIds.length + r - 1;
        return s + logProb(logits.subarray(t * V, (t + 1) * V), tok);
      }, 0) / it.responseIds.length;
      expect(got[i]).toBeCloseTo(nll, 5);
    });
    const pooled = await pooledPerplexity(engine, items);
    expect(pooled).toBeCloseTo(Math.exp((got[0] * 4 + got[1] + got[2] * 2) / 7), 5);
    expect(await perplexityCoherence(engine, items, pooled)).toEqual(got.map((x) => coherenceFromPerplexity(Math.exp(x), pooled)));
    await expect(responseNll(engine, [{ promptIds: [], responseIds: [3] }])).rejects.toThrow(/empty prompt/);
  });
  it("per-token response NLL equals unpadded scoring token by token, 1e-5, across batch sizes", async () => {
    const items = [{ promptIds: [1, 5], responseIds: [7, 8, 9] }, { promptIds: [1, 2, 3, 4], responseIds: [40] }];
    const V = spec.vocabSize;
    for (const batchSize of [1, 2]) {
      const got = await responseTokenNll(engine, items, { batchSize });
      items.forEach((it, i) => {
        const { logits } = referenceForward(spec, weights, [[...it.promptIds, ...it.responseIds]]);
        expect(got[i].length).toBe(it.responseIds.length);
        it.responseIds.forEach((tok, r) => {
          const t = it.promptIds.length + r - 1;
          expect(got[i][r]).toBeCloseTo(-logProb(logits.subarray(t * V, (t + 1) * V), tok), 5);
        });
      });
    }
  });
  it("calibration: 1 up to the reference, 1/2 at e·ref, 1/3 at e²·ref, monotone decreasing", () => {
    expect(coherenceFromPerplexity(5, 10)).toBe(1);
    expect(coherenceFromPerplexity(10, 10)).toBe(1);
    expect(coherenceFromPerplexity(10 * Math.E, 10)).toBeCloseTo(0.5, 14);
    expect(coherenceFromPerplexity(10 * Math.E ** 2, 10)).toBeCloseTo(1 / 3, 14);
    let prev = 1;
    for (let p = 1; p < 1e6; p *= 1.7) { const c = coherenceFromPerplexity(p, 3); expect(c).toBeLessThanOrEqual(prev); prev = c; }
    expect(() => coherenceFromPerplexity(0, 1)).toThrow(/positive/);
  });
});

describe("engine embedder", () => {
  it("mean-pools resid_post over the text tokens after BOS (EOS for an empty text), as an unpadded forward does (1e-5)", async () => {
    const texts = ["hello there", "a", ""];
    const embs = await engineEmbedder(engine, { layer: 1, batchSize: 2 })(texts);
    texts.forEach((text, i) => {
      const ids = [1, ...(text ? charTokenizer.encode(text) : spec.eosTokenIds.slice(0, 1))]; // empty text: embedded as EOS
      const acts = referenceForward(spec, weights, [ids], { capture: { sites: ["resid_post"], layers: [1] }, logits: "none" }).captures.get("1.resid_post")!;
      const H = spec.hidden, from = 1;
      for (let k = 0; k < H; k += 7) {
        let m = 0;
        for (let t = from; t < ids.length; t++) m += acts[t * H + k];
        expect(embs[i][k]).toBeCloseTo(m / (ids.length - from), 5);
      }
    });
    expect(() => engineEmbedder(engine, { layer: 2 })).toThrow(/layer/);
  });
});

describe("engine LLM judge", () => {
  it("normalises over the single-token scores: equal logits on '2' and '8' only → 0.5", async () => {
    const tokens = scoreTokens(charTokenizer);
    expect(tokens.values).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // "10" is two tokens here
    const V = charTokenizer.vocabSize;
    const logits = new Float32Array(V).fill(-1e9);
    logits[charTokenizer.encode("2")[0]] = 3;
    logits[charTokenizer.encode("8")[0]] = 3;
    logits[charTokenizer.encode("x")[0]] = 50; // a non-score token, ignored by the renormalisation
    expect(expectedScore(logits, tokens)).toBeCloseTo(0.5, 12);
    const fake: Engine = {
      ...engine,
      forward: async (ids): Promise<ForwardResult> => {
        const out = new Float32Array(ids.length * V);
        ids.forEach((_, b) => out.set(logits, b * V));
        return { pad: ids.map(() => 0), seqLen: 1, logits: out, captures: new Map() };
      },
    };
    expect(await engineJudge(fake, "Rate it.").score([{ response: "x" }, { user: "u", response: "y" }])).toEqual([0.5, 0.5].map((x) => expect.closeTo(x, 12)));
  });
  it("gives the same scores whatever the batch size, in [0, 1]", async () => {
    const items = [{ response: "short" }, { user: "why?", response: "a longer answer here" }, { response: "ok" }];
    const a = await engineJudge(engine, "Rate it.", { batchSize: 1 }).score(items);
    const b = await engineJudge(engine, "Rate it.", { batchSize: 3 }).score(items);
    a.forEach((x, i) => { expect(b[i]).toBeCloseTo(x, 5); expect(x).toBeGreaterThanOrEqual(0); expect(x).toBeLessThanOrEqual(1); });
  });
});
