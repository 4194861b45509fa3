import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { readSafetensors } from "../../lib/checkpoint/safetensors";
import { createEngine } from "../../lib/engine";
import { repoRoot } from "../../lib/util/paths";
import { realRelError } from "./fixtures";

/**
 * The ONNX engine against Hugging Face transformers' own outputs (tests/fixtures/hf: tiny random checkpoints of
 * every architecture at O(1) weight scale, a left-padded batch, logits and every layer's output).
 * Tolerance: max |engine − transformers| ≤ 1e-4 · max |transformers| per tensor over real positions.
 */
const ROOT = join(repoRoot(), "tests", "fixtures", "hf");
const FIXTURES = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe("ONNX engine parity with Hugging Face transformers", () => {
  it.each(FIXTURES)("%s: logits and every layer's resid_post match", async (name) => {
    const model = await loadModel(join(ROOT, name, "model"));
    const { tensors: expected } = readSafetensors(join(ROOT, name, "expected.safetensors"));
    const [B, T] = expected.get("input_ids")!.shape;
    const ids = expected.get("input_ids")!.data, mask = expected.get("attention_mask")!.data;
    const seqs = Array.from({ length: B }, (_, b) => Array.from(ids.subarray(b * T, (b + 1) * T)).filter((_, t) => mask[b * T + t] === 1));
    const engine = await createEngine(model, { threads: 1, cacheDir: null });
    try {
      const out = await engine.forward(seqs, { capture: { sites: ["resid_post"] } });
      expect(out.seqLen).toBe(T);
      expect(realRelError(out.logits, expected.get("logits")!.data, out.pad, T), `${name} logits`).toBeLessThanOrEqual(1e-4);
      for (let l = 0; l < model.spec.nLayers; l++)
        expect(realRelError(out.captures.get(`${l}.resid_post`)!, expected.get(`resid_post.${l}`)!.data, out.pad, T), `${name} resid_post.${l}`).toBeLessThanOrEqual(1e-4);
    } finally {
      await engine.dispose();
    }
  });
});
