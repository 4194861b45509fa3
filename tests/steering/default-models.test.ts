import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { createEngine } from "../../lib/engine";
import type { Engine } from "../../lib/engine/types";
import {
  bestLayer, buildSweep, datasetFingerprint, encodePairs, extractVector, loadConceptPairs, METHOD_NAMES, scorePairLayers,
  validateSpec, type EncodedPair, type MethodName,
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

const EXTRACT = 48, EVAL = 16;
/** Strengths: resid_post methods in units of the layer's typical norm; ITI in units of σ per head. */
const ALPHA: Record<MethodName, number> = { actadd: 0.25, caa: 0.25, pca: 0.25, probe: 0.25, iti: 4 };

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
  for (const dir of modelDirs) {
    describe(dir.split("/").pop()!, () => {
      let engine: Engine;
      beforeAll(async () => {
        setProgressMode("off");
        engine = await createEngine(await loadModel(dir));
      });
      afterAll(async () => { await engine?.dispose(); setProgressMode(null); });

      it("has concept data to steer with", () => expect(concepts.length).toBeGreaterThan(0));

      for (const concept of concepts) {
        it(`${concept}: each method's +α raises and −α lowers the violating/compliant log-likelihood ratio`, async () => {
          const raw = loadConceptPairs(concept, "mean");
          expect(raw.length).toBeGreaterThanOrEqual(EXTRACT + EVAL);
          const pairs = encodePairs(engine.model.tokenizer, raw.slice(0, EXTRACT));
          const held = encodePairs(engine.model.tokenizer, raw.slice(EXTRACT, EXTRACT + EVAL));
          const layer = bestLayer(await scorePairLayers(engine, pairs, { read: "mean", seed: 1 }));
          const texts = [...held.map((p) => p.positive), ...held.map((p) => p.negative)];
          const report: string[] = [];
          for (const method of METHOD_NAMES) {
            const vector = await extractVector(engine, pairs, { method, layers: method === "iti" ? "all" : [layer], read: "mean", dataset: datasetFingerprint(raw) });
            const spec = { terms: [{ vector }], window: "all" as const };
            validateSpec(spec, engine.model.spec);
            const alpha = ALPHA[method];
            const sweep = buildSweep(texts.map((t) => t.ids), [-alpha, 0, alpha], spec);
            const out = await engine.forward(sweep.ids, { steering: sweep.steering, logits: "all" });
            const lp = responseLogProbs(out.logits, out.pad, out.seqLen, engine.model.spec.vocabSize, sweep.cells.map((c) => texts[c.prompt]));
            const ratio = (strength: number) => {
              let s = 0;
              sweep.cells.forEach((c, i) => { if (c.strength === strength) s += c.prompt < held.length ? lp[i] : -lp[i]; });
              return s / held.length;
            };
            const [minus, zero, plus] = [ratio(-alpha), ratio(0), ratio(alpha)];
            report.push(`${method}@${method === "iti" ? "heads" : layer}: ${minus.toFixed(2)} < ${zero.toFixed(2)} < ${plus.toFixed(2)}`);
            expect(plus, `${method}: +${alpha} should raise the ratio (${report.at(-1)})`).toBeGreaterThan(zero);
            expect(minus, `${method}: −${alpha} should lower the ratio (${report.at(-1)})`).toBeLessThan(zero);
          }
          console.log(`${dir.split("/").pop()} / ${concept}: ${report.join("; ")}`);
        });
      }
    });
  }
});

