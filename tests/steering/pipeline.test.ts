import { describe, expect, it } from "vitest";
import { referenceForward } from "../../lib/engine/reference";
import {
  buildSweep, capturePairs, extractVector, iti, lowerSpec, modelIdentity, specFingerprint, validateSpec, unitDirection, vectorFromActivations,
  type EncodedPair, type SteeringSpec,
} from "../../lib/steering";
import { captureActivations, type EncodedText } from "../../lib/engine/index";
import { cosine, dot, norm } from "../../lib/math/linalg";
import { randomWeights, tinySpec } from "../reference/tiny-model";
import { referenceEngine } from "./reference-engine";

const spec = tinySpec({ nLayers: 3 });
const weights = randomWeights(spec, 42);
const engine = referenceEngine(spec, weights);
const H = spec.hidden;

/** Deterministic token sequences of varying length (ids in [3, vocab)). */
const seq = (seed: number, len: number): number[] => Array.from({ length: len }, (_, t) => 3 + ((seed * 7 + t * 13) % (spec.vocabSize - 3)));
const text = (seed: number, len: number, responseStart: number): EncodedText => ({ ids: seq(seed, len), responseStart, responseEnd: len, answerIndex: len - 2 });

/** resid_post of one unpadded sequence at a layer: [len, H]. */
function residPost(ids: number[], layer: number): Float32Array {
  return referenceForward(spec, weights, [ids], { capture: { sites: ["resid_post"], layers: [layer] }, logits: "none" }).captures.get(`${layer}.resid_post`)!;
}

describe("captureActivations", () => {
  const texts = [text(1, 5, 2), text(2, 9, 4), text(3, 3, 1), text(4, 7, 3), text(5, 6, 5)];
  for (const read of ["last", "mean", "answer"] as const) {
    it(`batched, left-padded capture equals one-at-a-time reading (read ${read}, |Δ| < 1e-6)`, async () => {
      const got = (await captureActivations(engine, texts, { sites: ["resid_post"], layers: [1], read, batchSize: 2 })).get("1.resid_post")!;
      texts.forEach((t, i) => {
        const acts = residPost(t.ids, 1);
        const positions = read === "last" ? [t.ids.length - 1] : read === "answer" ? [t.answerIndex!] : Array.from({ length: t.responseEnd - t.responseStart }, (_, k) => t.responseStart + k);
        for (let k = 0; k < H; k++) {
          const expected = positions.reduce((s, p) => s + acts[p * H + k], 0) / positions.length;
          expect(Math.abs(got[i * H + k] - expected)).toBeLessThan(1e-6);
        }
      });
    });
  }

  it("names the example when a policy cannot apply", async () => {
    const noAnswer: EncodedText = { ids: seq(9, 4), responseStart: 0, responseEnd: 4 };
    await expect(captureActivations(engine, [noAnswer], { sites: ["resid_post"], layers: [0], read: "answer" })).rejects.toThrow(/example 0: --read answer needs A\/B items/);
  });
});

const pairs: EncodedPair[] = Array.from({ length: 8 }, (_, i) => ({ positive: text(10 + i, 4 + (i % 3), 1), negative: text(30 + i, 5 + (i % 2), 1) }));

describe("extractVector", () => {
  it("caa with --read last is mean(positive) − mean(negative) of resid_post at the last token, at the typical norm", async () => {
    const v = await extractVector(engine, pairs, { method: "caa", layers: [0, 2], read: "last", dataset: "test" });
    expect([...v.directions.keys()]).toEqual([0, 2]);
    for (const layer of [0, 2]) {
      const last = (ids: number[]) => residPost(ids, layer).slice((ids.length - 1) * H, ids.length * H);
      const diff = new Float64Array(H);
      let normSum = 0;
      for (const p of pairs) {
        const a = last(p.positive.ids), b = last(p.negative.ids);
        for (let k = 0; k < H; k++) diff[k] += (a[k] - b[k]) / pairs.length;
        normSum += norm(a) + norm(b);
      }
      const d = v.directions.get(layer)!;
      expect(cosine(d, diff)).toBeGreaterThan(1 - 1e-6);
      expect(norm(d)).toBeCloseTo(normSum / (2 * pairs.length), 4);
    }
    expect(v.model).toMatchObject({ hidden: H, nLayers: 3, nHeads: spec.nHeads, headDim: spec.headDim });
    expect(v).toMatchObject({ site: "resid_post", method: "caa", read: "last", dataset: "test" });
  });

  it("iti extracts at attn_out with zero outside its chosen heads", async () => {
    const v = await extractVector(engine, pairs, { method: "iti", methodOptions: { iti: { topK: 2 } }, layers: "all", read: "mean", dataset: "test" });
    expect(v.site).toBe("attn_out");
    let heads = 0;
    for (const [l, d] of v.directions) {
      expect(d.length).toBe(spec.nHeads * spec.headDim);
      const chosen = v.layerInfo.get(l)!.heads as number[];
      heads += chosen.length;
      for (let h = 0; h < spec.nHeads; h++) {
        const blockNorm = norm(d.subarray(h * spec.headDim, (h + 1) * spec.headDim));
        if (chosen.includes(h)) expect(blockNorm).toBeGreaterThan(0);
        else expect(blockNorm).toBe(0);
      }
    }
    expect(heads).toBe(2);
  });

  it("iti keeps the K heads with the largest measured effect (refine), by accuracy only when asked", async () => {
    const captured = await capturePairs(engine, pairs, { site: "attn_out", layers: [0, 1, 2], read: "mean" });
    const method = iti({ topK: 2 });
    const model = modelIdentity("tiny", spec);
    expect(() => vectorFromActivations(captured, method, { model, read: "mean", dataset: "t" })).toThrow(/refines its fit by steering effect.*vectorWithEffect/);
    // Every head is a candidate of the fit; a hand-made score ranks them: (layer 2, head 0) first, then (0, 1).
    const fits = method.fit(captured, { model, seed: 0 });
    expect([...fits.values()].reduce((a, f) => a + (f.info.heads as number[]).length, 0)).toBe(3 * spec.nHeads);
    const wanted: Record<string, number> = { "2/0": 5, "0/1": 3 };
    const seen: string[] = [];
    const kept = await method.refine!(fits, async (cand, alpha) => {
      expect(alpha).toBe(4);
      expect(cand.size).toBe(1);
      const [[l, f]] = [...cand];
      const key = `${l}/${(f.info.heads as number[])[0]}`;
      seen.push(key);
      return wanted[key] ?? -1;
    });
    expect(seen.length).toBe(3 * spec.nHeads);
    expect([...kept.keys()].sort()).toEqual([0, 2]);
    expect(kept.get(2)!.info.heads).toEqual([0]);
    expect(kept.get(0)!.info.heads).toEqual([1]);
    expect(kept.get(2)!.info.headEffect).toEqual([5]);
    // The kept blocks are the fit's own blocks; the rest of each layer is zero.
    const hd = spec.headDim;
    expect([...kept.get(2)!.vector.subarray(0, hd)]).toEqual([...fits.get(2)!.vector.subarray(0, hd)]);
    expect(norm(kept.get(2)!.vector.subarray(hd))).toBe(0);
    const byAcc = vectorFromActivations(captured, iti({ topK: 2, byAccuracy: true }), { model, read: "mean", dataset: "t" });
    expect([...byAcc.layerInfo.values()].reduce((a, i) => a + (i.heads as number[]).length, 0)).toBe(2);
    // No measurable effect (score null): the probe ranking across layers decides, the same heads as byAccuracy.
    const fallback = await method.refine!(method.fit(captured, { model, seed: 0 }), null);
    const headsOf = (m: ReadonlyMap<number, { info: Record<string, unknown> }>) => [...m].flatMap(([l, f]) => (f.info.heads as number[]).map((h) => `${l}/${h}`)).sort();
    expect(headsOf(fallback)).toEqual(headsOf(iti({ topK: 2, byAccuracy: true }).fit(captured, { model, seed: 0 })));
  });
});

describe("steering specs", () => {
  const vectorP = extractVector(engine, pairs, { method: "caa", layers: [1, 2], read: "last", dataset: "test" });

  it("validates up front with errors naming the field", async () => {
    const vector = await vectorP;
    const bad = (s: Partial<SteeringSpec>, re: RegExp) => expect(() => validateSpec({ terms: [{ vector }], window: "all", ...s } as SteeringSpec, spec)).toThrow(re);
    bad({ window: "later" as never }, /spec\.window: expected one of prompt, generated, all/);
    bad({ terms: [] }, /spec\.terms: expected at least one term/);
    bad({ terms: [{ vector, layers: [0] }] }, /terms\[0\]\.layers: layer 0 is not in the vector \(caa has layers 1, 2\)/);
    bad({ terms: [{ vector, strength: NaN }] }, /terms\[0\]\.strength: expected a finite number/);
    bad({ terms: [{ vector, operator: "multiply" as never }] }, /terms\[0\]\.operator: expected one of add, ablate, ablate-then-add/);
    bad({ terms: [{ vector, operator: "ablate" }, { vector, layers: [2], operator: "ablate-then-add" }] }, /terms\[1\]: layer 2 is already ablated by terms\[0\]/);
    expect(() => validateSpec({ terms: [{ vector }], window: "all" }, tinySpec({ nLayers: 3, hidden: 24 }))).toThrow(/terms\[0\]\.vector: extracted for tiny-reference with hidden = 16, but the model has hidden = 24/);
    const iti = await extractVector(engine, pairs, { method: "iti", layers: "all", read: "last", dataset: "t", methodOptions: { iti: { topK: 1 } } });
    expect(() => validateSpec({ terms: [{ vector: iti, operator: "ablate" }], window: "all" }, spec)).toThrow(/operator: 'ablate' is only supported at resid_post/);
    expect(() => validateSpec({ terms: [{ vector }], window: "all" }, spec)).not.toThrow();
  });

  it("lowers strengths per sample: add = α·v, ablation = unit direction, nothing to do → null", async () => {
    const vector = await vectorP;
    const s: SteeringSpec = { terms: [{ vector, layers: [2], strength: 2 }], window: "generated" };
    const [a, zero] = lowerSpec(s, [1.5, 0]);
    expect(zero).toBeNull();
    expect(a!.window).toBe("generated");
    const v2 = vector.directions.get(2)!;
    a!.add!["2.resid_post"].forEach((x, k) => expect(x).toBeCloseTo(3 * v2[k], 5));
    const [abl] = lowerSpec({ terms: [{ vector, layers: [1], operator: "ablate" }], window: "all" }, [0]);
    expect(abl!.add).toBeUndefined();
    expect(norm(abl!.ablate!["1.resid_post"])).toBeCloseTo(1, 6);
  });

  it("ablate-then-add leaves exactly α·|v| along the direction (reference engine, |Δ| < 1e-4)", async () => {
    const vector = await vectorP;
    const alpha = 0.7;
    const steering = lowerSpec({ terms: [{ vector, layers: [1], operator: "ablate-then-add", strength: alpha }], window: "all" }, [1]);
    const ids = seq(77, 6);
    const out = referenceForward(spec, weights, [ids], { capture: { sites: ["resid_post"], layers: [1] }, steering, logits: "none" });
    const x = out.captures.get("1.resid_post")!;
    const d = unitDirection(vector, 1);
    for (let t = 0; t < ids.length; t++) expect(Math.abs(dot(x.subarray(t * H, (t + 1) * H), d) - alpha * norm(vector.directions.get(1)!))).toBeLessThan(1e-4);
  });

  it("is identified by a content fingerprint", async () => {
    const vector = await vectorP;
    const base: SteeringSpec = { terms: [{ vector, strength: 1 }], window: "all" };
    expect(specFingerprint(base)).toBe(specFingerprint({ terms: [{ vector, strength: 1, layers: [1, 2], operator: "add" }], window: "all" }));
    expect(specFingerprint(base)).not.toBe(specFingerprint({ ...base, window: "prompt" }));
    expect(specFingerprint(base)).not.toBe(specFingerprint({ terms: [{ vector, strength: 1.01 }], window: "all" }));
  });

  it("a strength sweep in one batch equals separate runs per strength (|Δlogit| < 1e-5)", async () => {
    const vector = await vectorP;
    const s: SteeringSpec = { terms: [{ vector, strength: 1 }], window: "all" };
    const prompts = [seq(1, 4), seq(2, 7), seq(3, 5)];
    const strengths = [-1, 0, 0.5, 2];
    const sweep = buildSweep(prompts, strengths, s);
    expect(sweep.ids.length).toBe(12);
    const batched = await engine.forward(sweep.ids, { steering: sweep.steering, logits: "last" });
    const V = spec.vocabSize;
    for (let i = 0; i < sweep.cells.length; i++) {
      const { prompt, strength } = sweep.cells[i];
      const alone = await engine.forward([prompts[prompt]], { steering: lowerSpec(s, [strength]), logits: "last" });
      for (let k = 0; k < V; k++) expect(Math.abs(batched.logits[i * V + k] - alone.logits[k])).toBeLessThan(1e-5);
    }
    // The strengths really differ: steered logits move away from the unsteered ones.
    const at = (i: number) => batched.logits.subarray(i * V, (i + 1) * V);
    expect(Math.max(...at(3).map((x, k) => Math.abs(x - at(1)[k])))).toBeGreaterThan(1e-2);
  });
});
