import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConcept, readBaseline, readLabelled } from "../../lib/world";
import { defaultProbeLayer } from "../../lib/detect/index";
import { writeTinyConcept } from "../study/fixtures";

/**
 * `steersynth train` as a separate process: R.json is a contract (auroc = mean over seeds, auroc_ci = [low, high],
 * aurocs per seed, n_train, n_test, detector, data) and a summary table is printed. Runs on a small slice of the
 * refusal data (tests/study/fixtures) with the default model llama-tiny.
 */
const MODEL = "data/models/llama-tiny";
const nLayers: number = existsSync(join(MODEL, "config.json")) ? JSON.parse(readFileSync(join(MODEL, "config.json"), "utf8")).num_hidden_layers : 0;
const dir = mkdtempSync(join(tmpdir(), "steersynth-train-cli-"));
let concept = "";

const train = (...args: string[]) => {
  const r = spawnSync(process.execPath, ["bin/steersynth.mjs", "train", "--model", MODEL, "--cache", join(dir, "cache"), "--bootstrap", "200", ...args], {
    encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  if (!existsSync(join(MODEL, "config.json"))) throw new Error(`${MODEL}: the default model is missing (npm run build:models)`);
  concept = writeTinyConcept(dir, "refusal");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("steersynth train", () => {
  it("writes the R.json contract for real data and prints a per-seed table", () => {
    const out = join(dir, "R-real.json");
    const r = train("--concept", concept, "--data", "real", "--seeds", "3", "--positives", "30", "--negatives", "60", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const R = JSON.parse(readFileSync(out, "utf8"));
    expect(R.aurocs).toHaveLength(3);
    expect(R.auroc).toBeCloseTo(R.aurocs.reduce((s: number, x: number) => s + x, 0) / 3, 12);
    expect(R.auroc_ci).toHaveLength(2);
    expect(R.auroc_ci[0]).toBeLessThanOrEqual(R.auroc);
    expect(R.auroc_ci[1]).toBeGreaterThanOrEqual(R.auroc);
    expect(R.auroc_ci[0]).toBeGreaterThan(0.8); // refusal is lexical: the probe separates it
    // The probe reads two thirds of the way up (defaultProbeLayer): layer 3 of llama-tiny's 5.
    expect(R).toMatchObject({ n_train: 90, n_test: 120, detector: `probe:logistic@L${defaultProbeLayer(nLayers)}`, data: "real" });
    expect(r.stdout).toMatch(/mean\s+[01]\.\d{4}\s+\(95% CI/); // AUROC 1.0000 prints as such
    expect(r.stdout.split("\n").filter((l) => /^\d+\s+[01]\.\d{4}$/.test(l))).toHaveLength(3);
  });

  it("trains on a GENERATIONS.jsonl in place of the real positives", () => {
    // Stand-in generations: real violating responses from the judge split (disjoint from the detector splits).
    const gens = readLabelled(loadConcept(concept).paths.judge_train).filter((r) => r.label === 1).slice(0, 25);
    const file = join(dir, "G.jsonl");
    writeFileSync(file, gens.map((g) => JSON.stringify({ prompt: g.user, text: g.response })).join("\n") + "\n");
    const out = join(dir, "R-gen.json");
    const r = train("--concept", concept, "--data", file, "--seeds", "3", "--negatives", "60", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const R = JSON.parse(readFileSync(out, "utf8"));
    expect(R).toMatchObject({ n_train: 85, n_test: 120, data: file });
    expect(R.auroc).toBeGreaterThan(0.8);
  });

  it("--data prompting: generates the violating examples with the concept's system prompts and trains on them", () => {
    const out = join(dir, "R-prompting.json"), cache = join(dir, "cache-prompting");
    const r = spawnSync(process.execPath, ["bin/steersynth.mjs", "train", "--model", MODEL, "--cache", cache, "--bootstrap", "200",
      "--concept", concept, "--data", "prompting", "--positives", "12", "--negatives", "40", "--seeds", "2", "--max-new-tokens", "16", "--out", out], {
      encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" },
    });
    expect(r.status, r.stderr).toBe(0);
    const R = JSON.parse(readFileSync(out, "utf8"));
    expect(R).toMatchObject({ n_train: 52, n_test: 120, data: "prompting" });
    expect(R.aurocs).toHaveLength(2);
    for (const a of R.aurocs) expect(a >= 0 && a <= 1).toBe(true);
    // Every detector run records its 12 positives as prompted generations, each with the system prompt used.
    const runs = readdirSync(join(cache, "detector")).map((f) => JSON.parse(readFileSync(join(cache, "detector", f), "utf8")).value);
    expect(runs).toHaveLength(2);
    const systems = new Set(readBaseline(loadConcept(concept).paths.baseline).map((b) => b.system));
    for (const run of runs) {
      const prompted = run.provenance.filter((p: Record<string, unknown>) => p.source === "prompting");
      expect(prompted).toHaveLength(12);
      for (const p of prompted) expect(systems.has(p.system)).toBe(true);
    }
  });

  it("rejects bad input with exit code 2 and a message", () => {
    const r = train("--concept", concept, "--data", join(dir, "nope.jsonl"), "--out", join(dir, "x.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--data must be real, prompting or an existing GENERATIONS\.jsonl/);
    expect(train("--concept", concept, "--data", "real", "--detector", "svm", "--out", join(dir, "x.json")).code).toBe(2);
  });
});
