import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine } from "../../lib/engine/index";
import type { Engine } from "../../lib/engine/types";
import type { LoadedModel } from "../../lib/checkpoint/types";
import { initTf, type Tf } from "../../lib/train/backend";
import { DEFAULT_RECIPES } from "../../lib/train/default-models";
import { buildTfModel } from "../../lib/train/model";
import { dataPath } from "../../lib/util/paths";
import { dialogue, renderChat } from "../../lib/world/index";

/**
 * The committed default models (built by scripts/build-models.ts): within the size budget, described by a
 * consistent training report, in ChatML, and computed identically by the tfjs training model and the ONNX
 * engine (relative error ≤ 1e-4 on logits of a left-padded batch).
 */
const TOL = 1e-4;
const MAX_BYTES = 25 * 1024 * 1024;

let tf: Tf;
beforeAll(async () => {
  process.env.STEERSYNTH_PROGRESS = "off";
  ({ tf } = await initTf({ quiet: true }));
});

describe.each(DEFAULT_RECIPES.map((r) => r.name))("data/models/%s", (name) => {
  const dir = dataPath("models", name);
  let model: LoadedModel;
  let engine: Engine;
  beforeAll(async () => {
    model = await loadModel(dir);
    engine = await createEngine(model);
  });
  afterAll(async () => { await engine?.dispose(); });

  it("is at most 25 MB on disk", () => {
    const bytes = readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
  });

  it("has a consistent training report", () => {
    const rep = JSON.parse(readFileSync(join(dir, "training_report.json"), "utf8"));
    expect(rep.model).toBe(name);
    expect(rep.heldOutPerplexity).toBeCloseTo(Math.exp(rep.evalLoss), 6);
    expect(rep.parameters).toBe([...model.weights.values()].reduce((a, t) => a + t.data.length, 0));
    expect(rep.evalLoss).toBeLessThan(Math.log(model.spec.vocabSize) / 2);
  });

  it("speaks ChatML and stops at <|im_end|>", () => {
    const tok = model.tokenizer!;
    const msgs = dialogue("How do I make cold brew?", "Grind coarse and steep overnight.", "Be brief.");
    expect(tok.applyChatTemplate(msgs)).toBe(renderChat(msgs));
    const imEnd = tok.encode("<|im_end|>", { addSpecialTokens: false });
    expect(imEnd).toHaveLength(1);
    expect(model.generation.eosTokenIds).toEqual(imEnd);
  });

  it(`tfjs logits equal the ONNX engine's within ${TOL} relative error`, async () => {
    const tok = model.tokenizer!;
    const seqs = [
      tok.encode(renderChat(dialogue("Can you help me plan a picnic?", "Sure! Pack sandwiches, fruit and water.")), { addSpecialTokens: false }),
      tok.encode(renderChat(dialogue("What is a good first telescope?"), true), { addSpecialTokens: false }),
    ];
    const ort = await engine.forward(seqs);
    const T = ort.seqLen, V = model.spec.vocabSize;
    const tfm = buildTfModel(tf, model.spec, model.weights);
    try {
      const got = tf.tidy(() => {
        const ids = seqs.flatMap((s) => [...Array(T - s.length).fill(0), ...s]);
        const mask = seqs.flatMap((s) => [...Array(T - s.length).fill(0), ...Array(s.length).fill(1)]);
        return tfm.forward(tf.tensor2d(ids, [seqs.length, T], "int32"), tf.tensor2d(mask, [seqs.length, T])).logits.dataSync() as Float32Array;
      });
      let diff = 0, scale = 0;
      seqs.forEach((s, b) => {
        for (let i = (b * T + T - s.length) * V; i < (b + 1) * T * V; i++) {
          diff = Math.max(diff, Math.abs(got[i] - ort.logits[i]));
          scale = Math.max(scale, Math.abs(ort.logits[i]));
        }
      });
      expect(diff / scale).toBeLessThan(TOL);
    } finally {
      tfm.dispose();
    }
  });
});
