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
import { importControlVector, modelIdentity } from "../../lib/steering";
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
