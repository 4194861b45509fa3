import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { createEngine } from "../../lib/engine";
import type { Engine } from "../../lib/engine/types";
import {
  bestLayer, buildSweep, capturePairs, createMethod, datasetFingerprint, encodePairs, loadConceptPairs, METHOD_NAMES, modelIdentity,
  scoreLayers, validateSpec, vectorFromActivations, type EncodedPair, type MethodName,
} from "../../lib/steering";
import { dataPath } from "../../lib/util/paths";
import { setProgressMode } from "../../lib/util/progress";

/**
 * On the embedded default models (data/models/<name>, trained by the project) and its concepts: steering each
 * method's vector at a positive strength raises the concept's probability mass — the mean log-likelihood ratio
 * log p(violating response | user) − log p(compliant response | user) over held-out pairs — relative to strength
 * 0, and a negative strength lowers it. Skipped only when data/models/ does not exist yet.
 */
const modelsDir = dataPath("models");
const haveModels = existsSync(modelsDir);
const modelDirs = haveModels ? readdirSync(modelsDir).map((n) => join(modelsDir, n)).filter((d) => existsSync(join(d, "config.json"))).sort() : [];
const concepts = existsSync(dataPath("concepts")) ? readdirSync(dataPath("concepts")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort() : [];

const EXTRACT = 40, EVAL = 10;

/**
 * Measured negative results, kept visible instead of hidden: on these (model, concept) pairs of the committed
 * default models, at least one method moves the teacher-forced ratio the wrong way (e.g. llama-tiny /
 * hallucination at layer 2: every resid_post method lowers it at +α and raises it at −α). The tests below run
 * with `it.fails`, so they turn red as soon as steering starts to work there (after a model or method change),
 * and this list must then be updated. See the closing note of the steering issue.
 */
const KNOWN_FAILURES = new Set(["llama-tiny/hallucination", "qwen2-tiny/sycophancy", "qwen2-tiny/toxicity"]);
/** Strengths: resid_post methods in units of the layer's typical norm; ITI in units of σ per head. */
const ALPHA: Record<MethodName, number> = { actadd: 0.25, caa: 0.25, pca: 0.25, probe: 0.25, iti: 1 };

/** Sum of log p(response tokens) of each sequence, from full logits of a left-padded batch. */
function responseLogProbs(logits: Float32Array, pad: number[], T: number, V: number, texts: EncodedPair["positive"][]): number[] {
  return texts.map((t, b) => {
    let s = 0;
    for (let p = t.responseStart; p < t.responseEnd; p++) {
      const row = logits.subarray((b * T + pad[b] + p - 1) * V, (b * T + pad[b] + p) * V);
      let max = -Infinity;
      for (const x of row) max = Math.max(max, x);
      let z = 0;
      for (const x of row) z += Math.exp(x - max);
      s += row[t.ids[p]] - max - Math.log(z);
    }
    return s;
  });
}

describe.skipIf(!haveModels)("steering the default models (skipped while data/models/ does not exist: npm run build:models)", () => {
  it("finds checkpoints in data/models", () => expect(modelDirs.length).toBeGreaterThan(0));
  it("has concept data to steer with", () => expect(concepts.length).toBeGreaterThan(0));

  modelDirs.forEach((dir, m) => {
    // Two concepts per model, rotating, so that the models together cover every concept and CI stays short.
    const mine = concepts.length <= 2 ? concepts : [concepts[(2 * m) % concepts.length], concepts[(2 * m + 1) % concepts.length]];
    describe(dir.split("/").pop()!, () => {
      let engine: Engine;
      beforeAll(async () => {
        setProgressMode("off");
        engine = await createEngine(await loadModel(dir));
      });
      afterAll(async () => { await engine?.dispose(); setProgressMode(null); });

      for (const concept of mine) {
        const known = KNOWN_FAILURES.has(`${dir.split("/").pop()}/${concept}`);
        (known ? it.fails : it)(`${concept}: each method's +α raises and −α lowers the violating/compliant log-likelihood ratio${known ? " (known failure on this model: see KNOWN_FAILURES)" : ""}`, async () => {
          const raw = loadConceptPairs(concept, "mean");
          expect(raw.length).toBeGreaterThanOrEqual(EXTRACT + EVAL);
          const pairs = encodePairs(engine.model.tokenizer, raw.slice(0, EXTRACT));
          const held = encodePairs(engine.model.tokenizer, raw.slice(EXTRACT, EXTRACT + EVAL));
          const all = Array.from({ length: engine.model.spec.nLayers }, (_, l) => l);
          // One capture per site, shared by the layer scores and every method at that site.
          const acts = {
            resid_post: await capturePairs(engine, pairs, { site: "resid_post", layers: all, read: "mean" }),
            attn_out: await capturePairs(engine, pairs, { site: "attn_out", layers: all, read: "mean" }),
          };
          const layer = bestLayer(scoreLayers(acts.resid_post, { seed: 1 }));
          const model = modelIdentity(dir.split("/").pop()!, engine.model.spec);
          const texts = [...held.map((p) => p.positive), ...held.map((p) => p.negative)];
          const report: string[] = [];
          for (const name of METHOD_NAMES) {
            const method = createMethod(name);
            const vector = vectorFromActivations(acts[method.site], method, { model, read: "mean", dataset: datasetFingerprint(raw) });
            const spec = { terms: [name === "iti" ? { vector } : { vector, layers: [layer] }], window: "all" as const };
            validateSpec(spec, engine.model.spec);
            const alpha = ALPHA[name];
            const sweep = buildSweep(texts.map((t) => t.ids), [-alpha, 0, alpha], spec);
            const out = await engine.forward(sweep.ids, { steering: sweep.steering, logits: "all" });
            const lp = responseLogProbs(out.logits, out.pad, out.seqLen, engine.model.spec.vocabSize, sweep.cells.map((c) => texts[c.prompt]));
            const ratio = (strength: number) => {
              let s = 0;
              sweep.cells.forEach((c, i) => { if (c.strength === strength) s += c.prompt < held.length ? lp[i] : -lp[i]; });
              return s / held.length;
            };
            const [minus, zero, plus] = [ratio(-alpha), ratio(0), ratio(alpha)];
            report.push(`${name}@${name === "iti" ? "heads" : layer}: ${minus.toFixed(2)} < ${zero.toFixed(2)} < ${plus.toFixed(2)}`);
            expect.soft(plus, `${name}: +${alpha} should raise the ratio (${report.at(-1)})`).toBeGreaterThan(zero);
            expect.soft(minus, `${name}: −${alpha} should lower the ratio (${report.at(-1)})`).toBeLessThan(zero);
          }
          console.log(`${dir.split("/").pop()} / ${concept}: ${report.join("; ")}`);
        });
      }
    });
  });
});
