import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint";
import type { Example } from "../../lib/detect/dataset";
import { DEFAULT_FINETUNE, finetuneClassifier } from "../../lib/detect/finetune";
import { auroc } from "../../lib/metrics/stats";
import { initTf } from "../../lib/train/backend";
import { setProgressMode } from "../../lib/util/progress";
import { createRng } from "../../lib/util/rng";
import { loadConcept, readLabelled } from "../../lib/world";

/**
 * The fine-tune detector (all weights of llama-tiny + a classification head, tfjs) learns a concept from a small
 * slice of its real data: 64 training and 80 test examples of refusal, 3 epochs, so the file stays fast.
 */
const MODEL = "data/models/llama-tiny";

function slice(file: string, n: number, seed: number): Example[] {
  const rows: Example[] = readLabelled(file).map((r, i) => ({ user: r.user, response: r.response, label: r.label, source: "real", provenance: { index: i } }));
  const rng = createRng(seed);
  return [1, 0].flatMap((l) => rng.shuffle(rows.filter((r) => r.label === l)).slice(0, n / 2));
}

describe("fine-tune detector", () => {
  it("learns refusal from 64 examples (held-out AUROC > 0.8) and is reproducible for a seed", async () => {
    setProgressMode("off");
    if (!existsSync(join(MODEL, "config.json"))) throw new Error(`${MODEL}: the default model is missing (npm run build:models)`);
    const { tf } = await initTf({ quiet: true });
    const model = await loadModel(MODEL);
    const concept = loadConcept("refusal");
    const train = slice(concept.paths.detector_train, 64, 1), test = slice(concept.paths.detector_test, 80, 2);
    const cfg = { ...DEFAULT_FINETUNE, epochs: 3, maxLen: 64, learningRate: 1e-3, patience: 2 };
    const before = tf.memory().numTensors;
    const a = await finetuneClassifier(tf, model, train, test, cfg, 5);
    expect(a.scores).toHaveLength(80);
    expect(auroc(test.map((e) => e.label), a.scores)).toBeGreaterThan(0.8);
    expect(tf.memory().numTensors).toBe(before); // every tensor of the run is released
    const b = await finetuneClassifier(tf, model, train, test, cfg, 5);
    // Same seed, same backend: the same scores (float32 kernels, compared to 1e-5).
    a.scores.forEach((s, i) => expect(Math.abs(s - b.scores[i])).toBeLessThan(1e-5));
    setProgressMode(null);
  });
});
