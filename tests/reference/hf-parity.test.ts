import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { readSafetensors } from "../../lib/checkpoint/safetensors";
import { SITES } from "../../lib/arch/spec";
import { referenceForward } from "../../lib/engine/reference";
import { repoRoot } from "../../lib/util/paths";

/**
 * The checkpoint loader + reference forward against Hugging Face transformers itself: tiny random checkpoints
 * and the logits and per-layer hook sites (resid_pre, attn_out, resid_mid, resid_post) transformers computed
 * for a left-padded batch
 * (tests/fixtures/hf/README.md; regenerate with scripts/dev/make_hf_fixtures.py).
 * Tolerance: max |ours − theirs| ≤ 1e-4 · max |theirs| over the real (non-padded) positions, per tensor.
 * Both sides compute in fp32 (we accumulate in fp64), so the observed error is ~1e-6; 1e-4 leaves room for
 * summation-order noise while any semantic slip (a mask off by one, a wrong norm, a missed bias) shows up as
 * 1e-2 or more.
 */
const ROOT = join(repoRoot(), "tests", "fixtures", "hf");
const FIXTURES = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const REL_TOL = 1e-4;

/** max |a − b| / max |b| over the real positions of [B, T, width] arrays (pad[b] padded positions first). */
function relError(ours: Float32Array, theirs: Float32Array, pad: number[], T: number): number {
  const width = theirs.length / (pad.length * T);
  let diff = 0, scale = 0;
  pad.forEach((p, b) => {
    for (let i = (b * T + p) * width; i < (b + 1) * T * width; i++) {
      diff = Math.max(diff, Math.abs(ours[i] - theirs[i]));
      scale = Math.max(scale, Math.abs(theirs[i]));
    }
  });
  return diff / scale;
}

describe("parity with Hugging Face transformers", () => {
  it("has the fixtures", () => expect(FIXTURES).toEqual(["gemma2", "gpt2", "llama", "llama-bf16", "mistral", "qwen2"]));

  for (const name of FIXTURES) {
    it(`${name}: logits and every hook site of every layer match`, async () => {
      const model = await loadModel(join(ROOT, name, "model"));
      const { tensors: expected } = readSafetensors(join(ROOT, name, "expected.safetensors"));
      const [B, T] = expected.get("input_ids")!.shape;
      const ids = expected.get("input_ids")!.data, mask = expected.get("attention_mask")!.data, pos = expected.get("position_ids")!.data;
      const seqs = Array.from({ length: B }, (_, b) => Array.from(ids.subarray(b * T, (b + 1) * T)).filter((_, t) => mask[b * T + t] === 1));
      const out = referenceForward(model.spec, model.weights, seqs, { capture: { sites: [...SITES] } });
      expect(out.seqLen).toBe(T);
      // the fixture's padding is what ours assumes: left padding, positions 0.. from the first real token
      out.pad.forEach((p, b) => {
        for (let t = 0; t < T; t++) {
          expect(mask[b * T + t]).toBe(t < p ? 0 : 1);
          if (t >= p) expect(pos[b * T + t]).toBe(t - p);
        }
      });
      const errors: Record<string, number> = { logits: relError(out.logits, expected.get("logits")!.data, out.pad, T) };
      for (let l = 0; l < model.spec.nLayers; l++)
        for (const site of SITES) errors[`${site}.${l}`] = relError(out.captures.get(`${l}.${site}`)!, expected.get(`${site}.${l}`)!.data, out.pad, T);
      for (const [key, err] of Object.entries(errors)) expect(err, `${name} ${key}`).toBeLessThanOrEqual(REL_TOL);
    });
  }

  it("llama-bf16 is stored in bfloat16", async () => {
    expect((await loadModel(join(ROOT, "llama-bf16", "model"))).info.dtype).toBe("BF16");
  });
});
