import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACT_COLUMNS } from "../../lib/study/columns";
import { setProgressMode } from "../../lib/util/progress";
import { writeRandomModel, writeTinyConcept } from "./fixtures";

/**
 * The study runner end to end, as separate processes (what Slurm or a user's shell runs): a tiny study
 * (tests/study/fixtures/tiny.json on a small slice of the toxicity data and a small random checkpoint) run
 * (a) in one process, (b) as two concurrent shard processes + merge, (c) killed with SIGKILL once its first row
 * is stored, then rerun. All three results.csv must be byte-identical, and the rerun must reuse finished rows.
 */
const dir = mkdtempSync(join(tmpdir(), "steersynth-study-"));
const config = join(dir, "tiny.json");
// 3 baselines + 2 methods × 2 strengths; caa's tuned strength is one of its grid points (tuning evaluates only
// the two ends of [1, 4] on a budget of one round), so it shares that row.
const ROWS = 7;

interface Exit { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function cli(args: string[], opts: { onStart?: (kill: () => void) => void } = {}): Promise<Exit> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["bin/steersynth.mjs", ...args], { env: { ...process.env, STEERSYNTH_PROGRESS: "off" } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
    opts.onStart?.(() => child.kill("SIGKILL"));
  });
}

const ok = (r: Exit): Exit => {
  if (r.code !== 0) throw new Error(`exit ${r.code} ${r.signal ?? ""}\n${r.stderr.slice(-3000)}`);
  return r;
};
const csv = (out: string) => readFileSync(join(out, "tiny", "results.csv"), "utf8");
const rowDir = (out: string) => join(out, "tiny", "artefacts", "row");
const rowFiles = (out: string) => (existsSync(rowDir(out)) ? readdirSync(rowDir(out)).filter((f) => f.endsWith(".json")) : []);

let clean = "";

beforeAll(async () => {
  setProgressMode("off");
  const concept = writeTinyConcept(dir, "toxicity");
  const model = await writeRandomModel(join(dir, "model"));
  const cfg = JSON.parse(readFileSync("tests/study/fixtures/tiny.json", "utf8"));
  cfg.concepts = [concept];
  cfg.models[0].path = model;
  writeFileSync(config, JSON.stringify(cfg));
  const r = ok(await cli(["study", "--config", config, "--out", join(dir, "clean")]));
  expect(r.stderr).toMatch(new RegExp(`rows: ${ROWS} computed, 0 reused`));
  const speed = /machine speed: onnxruntime fp32 matmul (\d+\.\d) GFLOP\/s at the start, (\d+\.\d) at the end/.exec(r.stderr);
  expect(speed).not.toBeNull();
  for (const g of speed!.slice(1)) expect(Number(g)).toBeGreaterThan(0);
  expect(r.stdout).toMatch(/Detector AUROC on real test data/);
  expect(r.stdout).toMatch(/^judge validation/m);
  clean = csv(join(dir, "clean"));
}, 300_000);
afterAll(() => { setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

describe("study runner", () => {
  it("writes the results contract: one row per configuration + the three baselines, loadable as CSV and Arrow", () => {
    const t = aq.fromCSV(clean);
    for (const c of CONTRACT_COLUMNS) expect(t.columnNames()).toContain(c);
    const rows = t.objects() as Record<string, unknown>[];
    expect(rows).toHaveLength(ROWS);
    expect(rows.map((r) => [r.method, r.layer, r.strength])).toEqual([
      ["real", null, null], ["prompting", null, null], ["unsteered", null, null], ["caa", 1, 1], ["caa", 1, 4], ["actadd", 1, 1], ["actadd", 1, 4],
    ]);
    for (const r of rows) {
      expect(r.concept).toBe("toxicity");
      expect(r.model).toBe("tiny-llama");
      for (const k of ["success", "coherence", "diversity_sample", "diversity_set", "hm_scd", "hm_sc", "auroc", "auroc_ci_low", "auroc_ci_high"]) {
        expect(typeof r[k], k).toBe("number");
        expect(r[k] as number).toBeGreaterThanOrEqual(0);
        expect(r[k] as number).toBeLessThanOrEqual(1);
      }
      expect(r.auroc_ci_low as number).toBeLessThanOrEqual(r.auroc_ci_high as number);
      expect(r.n_train).toBe(46); // 40 negatives + detector.positives 6
      expect(r.n_test).toBe(120);
      // beats_prompting is empty for baselines, a boolean for configurations (and agrees with the AUROCs).
      const prompting = rows[1].auroc as number;
      const baseline = r.method === "real" || r.method === "prompting" || r.method === "unsteered";
      expect(r.beats_prompting).toBe(baseline ? null : (r.auroc as number) > prompting);
      // violation_rate: a share of the 8 scored responses, on baselines too.
      expect(Number.isInteger((r.violation_rate as number) * 8)).toBe(true);
    }
    // The judges were validated first: one success row, one row per corruption and the coherence judge's neutrality
    // row (real violating vs real compliant), each with its flag.
    const judges = aq.fromCSV(readFileSync(join(dir, "clean", "tiny", "judges.csv"), "utf8")).objects() as Record<string, unknown>[];
    expect(judges.map((j) => j.set)).toEqual(["detector_test", "real vs shuffle", "real vs cut", "real vs repeat", "real vs salad", "real vs swap", "violating vs compliant"]);
    for (const j of judges) expect(typeof j.passes).toBe("boolean");
    expect(existsSync(join(dir, "clean", "tiny", "judges-reliability.html"))).toBe(true);
    const arrow = aq.fromArrow(readFileSync(join(dir, "clean", "tiny", "results.arrow"))).objects() as Record<string, unknown>[];
    expect(arrow).toHaveLength(ROWS);
    arrow.forEach((r, i) => { for (const c of CONTRACT_COLUMNS) expect(r[c], c).toEqual(rows[i][c]); });
    expect(rows.map((r) => r.origin)).toEqual([null, null, null, ...(rows[3].origin === "grid+tuned" ? ["grid+tuned", "grid"] : ["grid", "grid+tuned"]), "grid", "grid"]);
  });

  it("writes analysis.json: trends per (concept, model, method), tracking per concept, the claims, tuned vs grid", () => {
    const a = JSON.parse(readFileSync(join(dir, "clean", "tiny", "analysis.json"), "utf8"));
    expect(a.format).toBe("steersynth.analysis/1");
    expect(a.trends.map((t: { method: string; strengths: number[] }) => [t.method, t.strengths])).toEqual([["caa", [1, 4]], ["actadd", [1, 4]]]);
    expect(a.tracking.map((t: { concept: string; configurations: number }) => [t.concept, t.configurations])).toEqual([["toxicity", 4]]);
    expect(a.tuning).toHaveLength(1);
    expect(a.tuning[0]).toMatchObject({ concept: "toxicity", method: "caa", grid: 2 });
    expect(Object.keys(a.claims)).toEqual(["a", "b", "c", "d"]);
    // The working regime is judged against the unsteered row of results.csv.
    const unsteered = (aq.fromCSV(clean).objects() as Record<string, unknown>[]).find((r) => r.method === "unsteered")!;
    expect(a.regime.map((w: { method: string; unsteeredRate: number; points: unknown[] }) => [w.method, w.unsteeredRate, w.points.length]))
      .toEqual([["caa", unsteered.violation_rate, 2], ["actadd", unsteered.violation_rate, 2]]);
  });

  it("two shards run as separate concurrent processes, merged, equal one run byte for byte", async () => {
    const out = join(dir, "sharded");
    const [a, b] = await Promise.all([0, 1].map((i) => cli(["study", "--config", config, "--out", out, "--shard", `${i}/2`])));
    ok(a); ok(b);
    expect(existsSync(join(out, "tiny", "results.csv"))).toBe(false);
    expect((await cli(["merge", "--dir", join(out, "tiny", "missing")])).code).toBe(1);
    const m = ok(await cli(["merge", "--dir", join(out, "tiny")]));
    expect(m.stdout).toMatch(new RegExp(`merged ${ROWS} rows`));
    expect(csv(out)).toBe(clean);
  }, 300_000);

  it("resumes after kill -9 without recomputing finished rows, to the same results", async () => {
    const out = join(dir, "killed");
    let timer: NodeJS.Timeout | undefined;
    const killed = await cli(["study", "--config", config, "--out", out], {
      onStart: (kill) => { timer = setInterval(() => { if (rowFiles(out).length > 0) kill(); }, 20); },
    });
    clearInterval(timer);
    expect(killed.signal).toBe("SIGKILL");
    const finished = rowFiles(out);
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.length).toBeLessThan(ROWS);
    const mtimes = finished.map((f) => statSync(join(rowDir(out), f)).mtimeMs);
    const r = ok(await cli(["study", "--config", config, "--out", out]));
    expect(r.stderr).toMatch(new RegExp(`rows: ${ROWS - finished.length} computed, ${finished.length} reused`));
    expect(finished.map((f) => statSync(join(rowDir(out), f)).mtimeMs)).toEqual(mtimes);
    expect(csv(out)).toBe(clean);
    // A second rerun does nothing but reassemble.
    expect(ok(await cli(["study", "--config", config, "--out", out])).stderr).toMatch(new RegExp(`rows: 0 computed, ${ROWS} reused`));
  }, 300_000);

  it("fails with the config file and field when a model path is wrong", async () => {
    const bad = JSON.parse(readFileSync(config, "utf8"));
    bad.models[0].path = join(dir, "nowhere");
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(bad));
    const r = await cli(["study", "--config", file, "--out", join(dir, "bad")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.json: models\[0\]\.path: no checkpoint at .*nowhere/);
  });
});
