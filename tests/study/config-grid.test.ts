import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStudyConfig, parseStudyConfig } from "../../lib/study/config";
import { configurationLabel, configurations, enumerateUnits, parseShard, shardIndices, unitId } from "../../lib/study/grid";

const dir = mkdtempSync(join(tmpdir(), "steersynth-study-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DEFAULT = "data/studies/default.json";
const base = () => JSON.parse(readFileSync(DEFAULT, "utf8"));

/** Write a modified default config and return the validation error's message. */
function errorOf(edit: (c: Record<string, any>) => void): string {
  const c = base();
  edit(c);
  const file = join(dir, "bad.json");
  writeFileSync(file, JSON.stringify(c));
  try {
    loadStudyConfig(file);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a validation error");
}

describe("study config", () => {
  it("accepts the default study and fills defaults", () => {
    const cfg = loadStudyConfig(DEFAULT);
    expect(cfg.file).toBe(DEFAULT);
    expect(cfg.concepts).toEqual(["toxicity", "sycophancy", "hallucination", "refusal"]);
    expect(cfg.detector.head).toBe("logistic");
    expect(cfg.detector.layer).toBeNull();
    expect(cfg.detector.seeds).toBeGreaterThanOrEqual(5);
    for (const m of Object.values(cfg.methods)) {
      expect(m!.strengths.length).toBeGreaterThanOrEqual(5);
      expect(m!.tuned).toBe(true);
    }
  });

  it("reads tuned strengths, scarce positives and the tuning settings, with defaults", () => {
    const c = base();
    c.methods = { caa: { strengths: "tuned", read: "answer" }, pca: { strengths: [0.5, "tuned", 1], read: "mean" } };
    delete c.detector.positives;
    delete c.tuning;
    const cfg = parseStudyConfig(c, "x.json");
    expect(cfg.methods.caa).toMatchObject({ strengths: [], tuned: true, read: "answer" });
    expect(cfg.methods.pca).toMatchObject({ strengths: [0.5, 1], tuned: true, read: "mean" });
    expect(cfg.detector.positives).toBe(16);
    expect(cfg.tuning).toEqual({ objective: "hm_scd", budget: 80, points: 5, samplesPerPoint: 8 });
  });

  it("names the file and the field of every error", () => {
    const file = join(dir, "bad.json");
    const cases: [(c: Record<string, any>) => void, RegExp][] = [
      [(c) => { c.samples = 1; }, /samples must be an integer ≥ 2 \(got 1\)/],
      [(c) => { c.models[1].layers = [0, 0]; }, /models\[1\]\.layers must be a list without duplicates/],
      [(c) => { c.models[0].name = "a b"; }, /models\[0\]\.name must be made of letters/],
      [(c) => { c.methods.caa.strengths = []; }, /methods\.caa\.strengths must be a list of at least 1/],
      [(c) => { c.methods.steer = c.methods.caa; }, /methods\.steer must be one of actadd, caa, pca, iti, probe/],
      [(c) => { c.methods.pca.read = "first"; }, /methods\.pca\.read must be one of last, answer, mean/],
      [(c) => { c.sampling.topP = 2; }, /sampling\.topP must be a number in \[0, 1\]/],
      [(c) => { c.sampling.window = "later"; }, /sampling\.window must be one of generated, all, prompt/],
      [(c) => { c.diversity.sample = "vendi"; }, /diversity\.sample must be one of distinct_1/],
      [(c) => { c.diversity.set = "vendi-embedding"; }, /diversity\.set must be one of/],
      [(c) => { c.detector.kind = "svm"; }, /detector\.kind must be one of probe, finetune/],
      [(c) => { c.detector.bootstrap = 5; }, /detector\.bootstrap must be an integer ≥ 10/],
      [(c) => { c.detector.positives = c.samples + 1; }, /detector\.positives must be at most samples/],
      [(c) => { c.methods.caa.strengths = ["tune"]; }, /methods\.caa\.strengths\[0\] must be a number/],
      [(c) => { c.tuning = { objective: "auroc" }; }, /tuning\.objective must be one of hm_scd, hm_sc, success/],
      [(c) => { c.tuning = { rounds: 3 }; }, /tuning\.rounds must be absent/],
      [(c) => { c.detector.seed = 3; }, /detector\.seed must be absent \(allowed fields: kind, head, layer/],
      [(c) => { c.concepts = ["toxicity", "toxicity"]; }, /concepts must be a list without duplicates/],
      [(c) => { c.extra = 1; }, /extra must be absent/],
      [(c) => { delete c.judges; }, /judges must be an object \(got undefined\)/],
    ];
    for (const [edit, message] of cases) {
      const m = errorOf(edit);
      expect(m.startsWith(`${file}: `), m).toBe(true);
      expect(m).toMatch(message);
    }
    writeFileSync(file, "{ not json");
    expect(() => loadStudyConfig(file)).toThrow(new RegExp(`${file}: not valid JSON`));
    expect(() => loadStudyConfig(join(dir, "missing.json"))).toThrow(/missing\.json: cannot read the study config/);
  });
});

describe("grid enumeration", () => {
  const cfg = parseStudyConfig(base(), DEFAULT);
  const layers = (concept: string, model: string) => (model === "llama-tiny" ? [1, 2] : [concept.length % 3]);

  it("is deterministic and ordered concept → model → baselines → method → layer → strength", () => {
    const units = enumerateUnits(cfg, layers);
    expect(enumerateUnits(cfg, layers)).toEqual(units);
    // Per (concept, model): 3 baselines + methods × layers groups (llama-tiny 2 layers, qwen2-tiny 1), except that
    // a method fitted over every layer (ITI) is one group whatever the layers.
    const methods = Object.keys(cfg.methods).length, everyLayer = Object.values(cfg.methods).filter((m) => m.method.allLayers).length;
    expect(everyLayer).toBe(1);
    expect(units).toHaveLength(cfg.concepts.length * ((3 + 2 * (methods - everyLayer) + everyLayer) + (3 + methods)));
    const iti = units.filter((u) => u.kind === "group" && u.method === "iti" && u.concept === "toxicity" && u.model === "llama-tiny");
    expect(iti.map(unitId)).toEqual(["toxicity/llama-tiny/iti/Lall"]);
    expect(configurationLabel({ method: "caa", layer: 2, strength: 0.5 })).toBe("caa L2 ×0.5");
    expect(configurationLabel({ method: "iti", layer: null, strength: 2 })).toBe("iti ×2");
    expect(units.slice(0, 5).map(unitId)).toEqual([
      "toxicity/llama-tiny/real", "toxicity/llama-tiny/prompting", "toxicity/llama-tiny/unsteered", "toxicity/llama-tiny/actadd/L1", "toxicity/llama-tiny/actadd/L2",
    ]);
    const confs = configurations(units);
    expect(confs[0]).toEqual({ concept: "toxicity", model: "llama-tiny", method: "actadd", layer: 1, strength: cfg.methods.actadd!.strengths[0] });
    expect(new Set(confs.map((c) => JSON.stringify(c))).size).toBe(confs.length);
    expect(confs.length).toBe(units.reduce((s, u) => s + (u.kind === "group" ? u.strengths.length : 0), 0));
  });

  it("splits units into disjoint interleaved shards covering everything", () => {
    const n = enumerateUnits(cfg, layers).length;
    const shards = [0, 1, 2].map((index) => shardIndices(n, { index, count: 3 }));
    expect(shards.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, k) => k));
    expect(shards[1].slice(0, 3)).toEqual([1, 4, 7]);
    expect(shardIndices(5, null)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("parseShard", () => {
  it("reads --shard, Slurm array variables and Kubernetes indexed jobs, in that order", () => {
    expect(parseShard("2/5", {})).toEqual({ index: 2, count: 5 });
    expect(parseShard(undefined, {})).toBeNull();
    expect(parseShard(undefined, { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" })).toEqual({ index: 3, count: 4 });
    // --array=1-4: ids 1..4 map to shards 0..3.
    expect(parseShard(undefined, { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_COUNT: "4", SLURM_ARRAY_TASK_MIN: "1" })).toEqual({ index: 3, count: 4 });
    expect(parseShard(undefined, { JOB_COMPLETION_INDEX: "0", STEERSYNTH_SHARDS: "2" })).toEqual({ index: 0, count: 2 });
    expect(parseShard("1/2", { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "4" })).toEqual({ index: 1, count: 2 });
    // A Slurm job that is not an array (only the id of a single task) does not shard.
    expect(parseShard(undefined, { SLURM_ARRAY_TASK_ID: "0" })).toBeNull();
  });

  it("rejects malformed or out-of-range shards, naming where they came from", () => {
    expect(() => parseShard("2-5", {})).toThrow(/--shard must look like i\/n/);
    expect(() => parseShard("5/5", {})).toThrow(/--shard: shard 5\/5 is out of range/);
    expect(() => parseShard("0/0", {})).toThrow(/out of range/);
    // --array=0-6:2 gives ids 0,2,4,6 with count 4: id 6 is out of range (steps are not supported).
    expect(() => parseShard(undefined, { SLURM_ARRAY_TASK_ID: "6", SLURM_ARRAY_TASK_COUNT: "4" })).toThrow(/SLURM_ARRAY_TASK_ID\/SLURM_ARRAY_TASK_COUNT: shard 6\/4/);
    expect(() => parseShard(undefined, { JOB_COMPLETION_INDEX: "x", STEERSYNTH_SHARDS: "2" })).toThrow(/JOB_COMPLETION_INDEX\/STEERSYNTH_SHARDS/);
  });
});
