import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { readSafetensors } from "../../lib/checkpoint/safetensors";
import { run as extract } from "../../lib/cli/commands/extract";
import { run as makeRandom } from "../../lib/cli/commands/make-random";
import { referenceForward } from "../../lib/engine/reference";
import type { LoadedModel } from "../../lib/checkpoint/types";
import { datasetFingerprint, importControlVector, loadConceptPairs, modelIdentity } from "../../lib/steering";
import { cosine, dot } from "../../lib/math/linalg";
import { setProgressMode } from "../../lib/util/progress";
import { jacobiTopEigenvector } from "./synthetic";

/**
 * The CLI contract: `extract --model DIR --pairs PAIRS.jsonl --method caa|pca --layers L --read last --out V.safetensors`
 * writes float32 direction.<layer> tensors (0-based) with V.json beside; with --read last, caa ∝ mean(pos) −
 * mean(neg) of resid_post at each side's last token and pca ∝ the first principal component of the paired
 * differences, signed so positives project higher. Checked against the reference forward on the same ids.
 */
const dir = mkdtempSync(join(tmpdir(), "steersynth-extract-"));
const modelDir = join(dir, "model"), pairsFile = join(dir, "pairs.jsonl");
let model: LoadedModel;
const pos = [[5, 9, 14, 22], [7, 30, 41], [12, 13, 60, 61, 62], [90, 4, 17]];
const neg = [[5, 9, 14, 23], [7, 31, 40, 8], [12, 13, 61], [91, 4, 18]];

beforeAll(async () => {
  setProgressMode("off");
  expect(await makeRandom(["--arch", "llama", "--out", modelDir, "--layers", "3", "--hidden", "32", "--vocab", "300", "--seed", "3"])).toBe(0);
  model = await loadModel(modelDir);
  writeFileSync(pairsFile, pos.map((p, i) => JSON.stringify({ positive_ids: p, negative_ids: neg[i] })).join("\n") + "\n");
});
afterAll(() => { setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

/** resid_post at the last token of each sequence, layer l: [n][H]. */
function lastResid(seqs: number[][], layer: number): Float32Array[] {
  const H = model.spec.hidden;
  return seqs.map((ids) => {
    const x = referenceForward(model.spec, model.weights, [ids], { capture: { sites: ["resid_post"], layers: [layer] }, logits: "none" }).captures.get(`${layer}.resid_post`)!;
    return x.slice((ids.length - 1) * H, ids.length * H);
  });
}

describe("steersynth extract (CLI contract)", () => {
  it("caa --read last: direction.<l> ∝ mean(positive) − mean(negative) (cos > 1 − 1e-5)", async () => {
    const out = join(dir, "caa.safetensors");
    expect(await extract(["--model", modelDir, "--pairs", pairsFile, "--method", "caa", "--layers", "1,2", "--read", "last", "--out", out, "--gguf", join(dir, "caa.gguf")])).toBe(0);
    expect(existsSync(join(dir, "caa.json"))).toBe(true);
    const { tensors } = readSafetensors(out);
    expect([...tensors.keys()].sort()).toEqual(["direction.1", "direction.2"]);
    for (const l of [1, 2]) {
      const p = lastResid(pos, l), q = lastResid(neg, l);
      const diff = p[0].map((_, k) => p.reduce((s, r) => s + r[k], 0) / p.length - q.reduce((s, r) => s + r[k], 0) / q.length);
      expect(tensors.get(`direction.${l}`)!.shape).toEqual([model.spec.hidden]);
      expect(cosine(tensors.get(`direction.${l}`)!.data, diff)).toBeGreaterThan(1 - 1e-5);
    }
    const g = importControlVector(join(dir, "caa.gguf"), modelIdentity("model", model.spec));
    expect(Array.from(g.directions.get(2)!)).toEqual(Array.from(tensors.get("direction.2")!.data));
  });

  it("pca --read last: direction.<l> ∝ first principal component of paired differences, positives higher", async () => {
    const out = join(dir, "pca.safetensors");
    expect(await extract(["--model", modelDir, "--pairs", pairsFile, "--method", "pca", "--layers", "2", "--out", out])).toBe(0);
    const d = readSafetensors(out).tensors.get("direction.2")!.data;
    const p = lastResid(pos, 2), q = lastResid(neg, 2);
    const diffs = p.map((r, i) => r.map((x, k) => x - q[i][k]));
    const H = model.spec.hidden;
    const gram = Array.from({ length: H }, (_, i) => Array.from({ length: H }, (_, j) => diffs.reduce((s, r) => s + r[i] * r[j], 0)));
    const pc = jacobiTopEigenvector(gram);
    expect(Math.abs(cosine(d, pc))).toBeGreaterThan(1 - 1e-4);
    const gap = p.reduce((s, r) => s + dot(r, d), 0) - q.reduce((s, r) => s + dot(r, d), 0);
    expect(gap).toBeGreaterThan(0);
    const provenance = JSON.parse(readFileSync(join(dir, "pca.json"), "utf8"));
    expect(provenance).toMatchObject({ method: "pca", read: "last", site: "resid_post", layers: [2], model: { hidden: 32, nLayers: 3 } });
  });

  it("actadd --actadd-pairs 2: direction.<l> ∝ the mean difference of the first 2 pairs only", async () => {
    const out = join(dir, "actadd.safetensors");
    expect(await extract(["--model", modelDir, "--pairs", pairsFile, "--method", "actadd", "--actadd-pairs", "2", "--layers", "1", "--out", out])).toBe(0);
    const d = readSafetensors(out).tensors.get("direction.1")!.data;
    const p = lastResid(pos.slice(0, 2), 1), q = lastResid(neg.slice(0, 2), 1);
    const diff = p[0].map((_, k) => (p[0][k] + p[1][k] - q[0][k] - q[1][k]) / 2);
    expect(cosine(d, diff)).toBeGreaterThan(1 - 1e-5);
    const all = lastResid(pos, 1), allNeg = lastResid(neg, 1);
    const caaLike = all[0].map((_, k) => all.reduce((s, r) => s + r[k], 0) / 4 - allNeg.reduce((s, r) => s + r[k], 0) / 4);
    expect(cosine(d, caaLike)).toBeLessThan(1 - 1e-3); // the other pairs are not used
    expect(JSON.parse(readFileSync(join(dir, "actadd.json"), "utf8"))).toMatchObject({ method: "actadd", site: "resid_post", layers: [1] });
  });

  it("iti --top-k 2: an attn_out vector [nHeads·headDim], non-zero only in the chosen heads' blocks", async () => {
    const out = join(dir, "iti.safetensors");
    expect(await extract(["--model", modelDir, "--pairs", pairsFile, "--method", "iti", "--top-k", "2", "--layers", "1,2", "--out", out])).toBe(0);
    const { nHeads, headDim } = model.spec;
    const provenance = JSON.parse(readFileSync(join(dir, "iti.json"), "utf8"));
    expect(provenance).toMatchObject({ method: "iti", site: "attn_out" });
    const tensors = readSafetensors(out).tensors;
    let chosen = 0;
    for (const [name, t] of tensors) {
      const layer = name.split(".")[1];
      expect(t.shape).toEqual([nHeads * headDim]);
      const heads = provenance.layerInfo[layer].heads as number[];
      chosen += heads.length;
      for (let h = 0; h < nHeads; h++) {
        const block = t.data.subarray(h * headDim, (h + 1) * headDim);
        expect(block.some((x) => x !== 0), `layer ${layer} head ${h}`).toBe(heads.includes(h));
      }
    }
    expect(chosen).toBe(2);
  });

  it("probe: a resid_post direction on which the positives score higher than the negatives", async () => {
    const out = join(dir, "probe.safetensors");
    expect(await extract(["--model", modelDir, "--pairs", pairsFile, "--method", "probe", "--layers", "2", "--out", out])).toBe(0);
    const d = readSafetensors(out).tensors.get("direction.2")!.data;
    const p = lastResid(pos, 2).map((r) => dot(r, d)), q = lastResid(neg, 2).map((r) => dot(r, d));
    expect(Math.min(...p)).toBeGreaterThan(Math.max(...q)); // 4 pairs in 32 dimensions are linearly separable
    expect(JSON.parse(readFileSync(join(dir, "probe.json"), "utf8"))).toMatchObject({ method: "probe", site: "resid_post", layers: [2] });
  });

  it("--concept reads the concept's pairs through the chat template and records their fingerprint", async () => {
    // make-random's 300-token BPE spells the rendered pairs out in up to ~300 tokens: a model with room for them.
    const long = join(dir, "long-model");
    expect(await makeRandom(["--arch", "llama", "--out", long, "--layers", "2", "--hidden", "32", "--vocab", "300", "--max-positions", "1024"])).toBe(0);
    const out = join(dir, "concept.safetensors");
    expect(await extract(["--model", long, "--concept", "refusal", "--method", "caa", "--layers", "1", "--out", out])).toBe(0);
    const provenance = JSON.parse(readFileSync(join(dir, "concept.json"), "utf8"));
    expect(provenance).toMatchObject({ method: "caa", read: "last", layers: [1], dataset: datasetFingerprint(loadConceptPairs("refusal", "last")) });
    const d = readSafetensors(out).tensors.get("direction.1")!.data;
    expect(d.every(Number.isFinite) && Math.hypot(...d) > 0).toBe(true);
  });

  it("rejects bad usage with exit code 2 and a clear message", async () => {
    const { main } = await import("../../lib/cli/main");
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => { errors.push(m); };
    try {
      expect(await main(["extract", "--model", modelDir, "--method", "caa", "--layers", "all", "--out", join(dir, "x.safetensors")])).toBe(2);
      expect(await main(["extract", "--model", modelDir, "--pairs", pairsFile, "--method", "lda", "--layers", "all", "--out", join(dir, "x.safetensors")])).toBe(2);
      expect(await main(["extract", "--model", modelDir, "--pairs", pairsFile, "--method", "caa", "--layers", "1,x", "--out", join(dir, "x.safetensors")])).toBe(2);
      expect(await main(["extract", "--model", modelDir, "--pairs", pairsFile, "--method", "caa", "--layers", "all", "--gguf", join(dir, "x.gguf"), "--out", join(dir, "x.safetensors")])).toBe(2);
      expect(await main(["extract", "--model", modelDir, "--pairs", pairsFile, "--method", "caa", "--layers", "7", "--out", join(dir, "x.safetensors")])).toBe(1);
    } finally {
      console.error = original;
    }
    expect(errors[0]).toMatch(/give exactly one of --concept and --pairs/);
    expect(errors[1]).toMatch(/--method must be one of actadd, caa, pca, iti, probe/);
    expect(errors[2]).toMatch(/--layers must be 'all' or 0-based integers/);
    expect(errors[3]).toMatch(/--gguf cannot hold layer 0/);
    expect(errors[4]).toMatch(/layer 7 does not exist \(the model has layers 0\.\.2\)/);
  });
});
