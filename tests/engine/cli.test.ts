import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { readSafetensors, writeSafetensors } from "../../lib/checkpoint/safetensors";
import { encodePrompts } from "../../lib/engine";
import { naiveGenerate } from "../../lib/engine/naive-decoder";
import { referenceForward } from "../../lib/engine/reference";
import type { LoadedModel } from "../../lib/checkpoint/types";
import { createVector, modelIdentity, saveVector } from "../../lib/steering/index";
import { repoRoot } from "../../lib/util/paths";
import { randomVector, realRelError } from "./fixtures";

/**
 * `steersynth hidden` and `steersynth generate` end to end on a make-random checkpoint, checked against the
 * reference forward / naive decoder run in-process on the same files (tolerance for floats: 1e-4 relative).
 */
let dir: string;
let model: LoadedModel;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "steersynth.mjs"), ...args], { encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" } });
  return { code: r.status, stderr: r.stderr };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "steersynth-engine-cli-"));
  expect(cli("make-random", "--arch", "qwen2", "--out", join(dir, "m"), "--layers", "2", "--vocab", "300", "--seed", "3").code).toBe(0);
  model = await loadModel(join(dir, "m"));
  writeFileSync(join(dir, "ids.json"), JSON.stringify([[5, 6, 7, 8, 9], [10, 11, 12, 13, 14]]));
  writeSafetensors(join(dir, "v.safetensors"), { "direction.1": { shape: [model.spec.hidden], data: randomVector(model.spec.hidden, 4) } });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("steersynth hidden", () => {
  it("writes resid_post [L, B, T, H] and logits [B, T, V] equal to the reference, steered by --vector × --alpha", async () => {
    const out = join(dir, "h.safetensors");
    const r = cli("hidden", "--model", join(dir, "m"), "--ids", join(dir, "ids.json"), "--out", out, "--vector", join(dir, "v.safetensors"), "--alpha", "4", "--positions", "all");
    expect(r.code, r.stderr).toBe(0);
    const { tensors } = readSafetensors(out);
    const { hidden: H, nLayers: L, vocabSize: V } = model.spec;
    expect(tensors.get("resid_post")!.shape).toEqual([L, 2, 5, H]);
    expect(tensors.get("logits")!.shape).toEqual([2, 5, V]);
    const ids = JSON.parse(readFileSync(join(dir, "ids.json"), "utf8"));
    const add = { "1.resid_post": readSafetensors(join(dir, "v.safetensors")).tensors.get("direction.1")!.data.map((x) => 4 * x) };
    const ref = referenceForward(model.spec, model.weights, ids, { capture: { sites: ["resid_post"] }, steering: ids.map(() => ({ window: "all" as const, add })) });
    expect(realRelError(tensors.get("logits")!.data, ref.logits, [0, 0], 5)).toBeLessThanOrEqual(1e-4);
    for (let l = 0; l < L; l++)
      expect(realRelError(tensors.get("resid_post")!.data.subarray(l * 2 * 5 * H, (l + 1) * 2 * 5 * H), ref.captures.get(`${l}.resid_post`)!, [0, 0], 5)).toBeLessThanOrEqual(1e-4);
  });

  it("rejects ragged ids, unknown layers and wrong widths with clear errors", () => {
    writeFileSync(join(dir, "ragged.json"), JSON.stringify([[5, 6, 7], [8]]));
    writeSafetensors(join(dir, "bad-layer.safetensors"), { "direction.7": { shape: [model.spec.hidden], data: new Float32Array(model.spec.hidden) } });
    writeSafetensors(join(dir, "bad-width.safetensors"), { "direction.0": { shape: [3], data: new Float32Array(3) } });
    const base = ["hidden", "--model", join(dir, "m"), "--out", join(dir, "x.safetensors")];
    let r = cli(...base, "--ids", join(dir, "ragged.json"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("same length");
    r = cli(...base, "--ids", join(dir, "ids.json"), "--vector", join(dir, "bad-layer.safetensors"));
    expect(r.stderr).toContain("names layer 7, but the model has layers 0..1");
    r = cli(...base, "--ids", join(dir, "ids.json"), "--vector", join(dir, "bad-width.safetensors"));
    expect(r.stderr).toContain(`expected [${model.spec.hidden}]`);
  });
});

describe("steersynth generate", () => {
  it("--ids with a vector on generated positions equals the naive decoder (greedy)", () => {
    const out = join(dir, "g.jsonl");
    const r = cli("generate", "--model", join(dir, "m"), "--ids", join(dir, "ids.json"), "--max-new-tokens", "6", "--temperature", "0",
      "--vector", join(dir, "v.safetensors"), "--alpha", "8", "--positions", "generated", "--batch-size", "1", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const ids = JSON.parse(readFileSync(join(dir, "ids.json"), "utf8"));
    const add = { "1.resid_post": readSafetensors(join(dir, "v.safetensors")).tensors.get("direction.1")!.data.map((x) => 8 * x) };
    const want = naiveGenerate(model.spec, model.weights, ids, { maxNewTokens: 6, temperature: 0, steering: ids.map(() => ({ window: "generated" as const, add })), tokenizer: model.tokenizer! });
    expect(rows).toEqual(want.map((g) => ({ ids: g.ids, text: g.text })));
  });

  it("an ITI vector file steers the attn_out heads its provenance names, not the residual stream", () => {
    const { hidden, nHeads, headDim } = model.spec;
    expect(nHeads * headDim).toBe(hidden); // the case where a tensor's width cannot tell the two sites apart
    const heads = new Float32Array(nHeads * headDim);
    heads.set(randomVector(headDim, 7), 0); // head 0 of layer 1 only, as ITI writes it
    saveVector(join(dir, "iti.safetensors"), createVector({ model: modelIdentity("m", model.spec), site: "attn_out", method: "iti", directions: new Map([[1, heads]]) }));
    const out = join(dir, "iti.jsonl");
    const r = cli("generate", "--model", join(dir, "m"), "--ids", join(dir, "ids.json"), "--max-new-tokens", "6", "--temperature", "0",
      "--vector", join(dir, "iti.safetensors"), "--alpha", "8", "--positions", "all", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l).ids);
    const ids = JSON.parse(readFileSync(join(dir, "ids.json"), "utf8"));
    const at = (site: string) => naiveGenerate(model.spec, model.weights, ids, {
      maxNewTokens: 6, temperature: 0, steering: ids.map(() => ({ window: "all" as const, add: { [`1.${site}`]: heads.map((x) => 8 * x) } })),
    }).map((g) => g.ids);
    expect(rows).toEqual(at("attn_out"));
    expect(at("resid_post")).not.toEqual(at("attn_out")); // the two readings differ, so the check above can fail
  });

  it("--prompts --chat renders the template, samples with a seed, and writes text", () => {
    writeFileSync(join(dir, "p.jsonl"), ['{"prompt": "The lighthouse keeper"}', '{"prompt": "She climbed the stairs"}'].join("\n") + "\n");
    const out = join(dir, "c.jsonl");
    const r = cli("generate", "--model", join(dir, "m"), "--prompts", join(dir, "p.jsonl"), "--chat", "--max-new-tokens", "5", "--temperature", "0.8", "--top-k", "40", "--seed", "9", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const prompts = encodePrompts(model, ["The lighthouse keeper", "She climbed the stairs"], { chat: true });
    const want = naiveGenerate(model.spec, model.weights, prompts, { maxNewTokens: 5, temperature: 0.8, topK: 40, seed: 9, tokenizer: model.tokenizer! });
    expect(rows).toEqual(want.map((g) => ({ ids: g.ids, text: g.text })));
    expect(rows.every((row) => typeof row.text === "string")).toBe(true);
  });

  it("needs exactly one of --prompts / --ids", () => {
    const r = cli("generate", "--model", join(dir, "m"), "--max-new-tokens", "2", "--out", join(dir, "z.jsonl"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("exactly one of --prompts and --ids");
  });
});
