import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { createEngine } from "../../lib/engine";
import type { Engine } from "../../lib/engine/types";
import {
  capturePairs, chooseLayer, createMethod, datasetFingerprint, encodePairs, loadConceptPairs, METHOD_NAMES, modelIdentity,
  pairLogRatios, validateSpec, vectorFromActivations,
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

const EXTRACT = 64, EVAL = 32;

/**
 * Measured negative results, kept visible instead of hidden: on these (model / concept / method) triples of the
 * committed default models, the method moves the teacher-forced ratio the wrong way at one sign at least. The
 * tests run with `it.fails`, so they turn red as soon as steering starts to work there (after a model or method
 * change), and this list must then be updated. The numbers are printed by the test and quoted in the README.
 */
const KNOWN_FAILURES = new Set<string>([
  // No layer of llama-tiny steers sycophancy with window "all": +α lowers r on held-out pairs at every layer
  // (the layer choice's 16 validation pairs say otherwise: the effect is small and noisy); actadd misses by 0.004 nats.
  "llama-tiny/sycophancy/actadd", "llama-tiny/sycophancy/caa", "llama-tiny/sycophancy/pca", "llama-tiny/sycophancy/probe", "llama-tiny/sycophancy/iti",
  // ActAdd's 4-pair difference is too noisy here (both signs lower r).
  "llama-tiny/toxicity/actadd",
  // ITI's heads are chosen by probe accuracy, not by steering effect: +1σ lowers r on both models.
  "llama-tiny/hallucination/iti", "qwen2-tiny/hallucination/iti",
]);
/** Strengths: resid_post methods in units of the layer's typical norm; ITI in units of σ per head. */
const ALPHA: Record<string, number> = { actadd: 0.25, caa: 0.25, pca: 0.25, probe: 0.25, iti: 1 };

interface ConceptSetup {
  raw: ReturnType<typeof loadConceptPairs>;
  held: ReturnType<typeof encodePairs>;
  acts: Record<"resid_post" | "attn_out", Awaited<ReturnType<typeof capturePairs>>>;
  layer: number;
}

describe.skipIf(!haveModels)("steering the default models (skipped while data/models/ does not exist: npm run build:models)", () => {
  it("finds checkpoints in data/models", () => expect(modelDirs.length).toBeGreaterThan(0));
  it("has concept data to steer with", () => expect(concepts.length).toBeGreaterThan(0));

  for (const dir of modelDirs) {
    const modelName = dir.split("/").pop()!;
    describe(modelName, () => {
      let engine: Engine;
      beforeAll(async () => {
        setProgressMode("off");
        engine = await createEngine(await loadModel(dir));
      });
      afterAll(async () => { await engine?.dispose(); setProgressMode(null); });

      for (const concept of concepts) {
        describe(concept, () => {
          let setup: ConceptSetup;
          beforeAll(async () => {
            const raw = loadConceptPairs(concept, "mean");
            expect(raw.length).toBeGreaterThanOrEqual(EXTRACT + EVAL);
            const pairs = encodePairs(engine.model.tokenizer, raw.slice(0, EXTRACT));
            const all = Array.from({ length: engine.model.spec.nLayers }, (_, l) => l);
            setup = {
              raw,
              held: encodePairs(engine.model.tokenizer, raw.slice(EXTRACT, EXTRACT + EVAL)),
              // One capture per site, shared by every method at that site.
              acts: {
                resid_post: await capturePairs(engine, pairs, { site: "resid_post", layers: all, read: "mean" }),
                attn_out: await capturePairs(engine, pairs, { site: "attn_out", layers: all, read: "mean" }),
              },
              // The study's "auto" layer, chosen on the extraction pairs only.
              layer: (await chooseLayer(engine, pairs, { read: "mean", seed: 1 })).layer,
            };
          });

          for (const name of METHOD_NAMES) {
            const known = KNOWN_FAILURES.has(`${modelName}/${concept}/${name}`);
            (known ? it.fails : it)(`${name}: +α raises and −α lowers the violating/compliant log-likelihood ratio${known ? " (known failure: see KNOWN_FAILURES)" : ""}`, async () => {
              const { raw, held, acts, layer } = setup;
              const method = createMethod(name);
              const model = modelIdentity(modelName, engine.model.spec);
              const vector = vectorFromActivations(acts[method.site], method, { model, read: "mean", dataset: datasetFingerprint(raw) });
              const spec = { terms: [name === "iti" ? { vector } : { vector, layers: [layer] }], window: "all" as const };
              validateSpec(spec, engine.model.spec);
              const alpha = ALPHA[name];
              const [minus, zero, plus] = await pairLogRatios(engine, held, spec, [-alpha, 0, alpha]);
              const line = `${modelName} / ${concept} / ${name}@${name === "iti" ? "heads" : `L${layer}`}: r(−α) ${minus.toFixed(3)}, r(0) ${zero.toFixed(3)}, r(+α) ${plus.toFixed(3)}`;
              console.log(line);
              expect(plus, `+${alpha} should raise the ratio (${line})`).toBeGreaterThan(zero);
              expect(minus, `−${alpha} should lower the ratio (${line})`).toBeLessThan(zero);
            });
          }
        });
      }
    });
  }
});
