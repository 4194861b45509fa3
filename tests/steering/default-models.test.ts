import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { createEngine } from "../../lib/engine";
import type { Engine } from "../../lib/engine/types";
import { METHOD_NAMES } from "../../lib/steering";
import { measureSteerability, MARGIN_TARGET, STEER_P, steerCaseLine, type SteerCase } from "../../lib/study/steerability";
import { dataPath } from "../../lib/util/paths";
import { setProgressMode } from "../../lib/util/progress";

/**
 * On the embedded default models (data/models/<name>, trained by the project) and its concepts: each method's
 * vector, fitted on the first 176 pairs, steered at the study's "auto" layer and the documented strength
 * (lib/study/steerability STEER_STRENGTHS), moves the held-out log-likelihood ratio
 * r = log p(violating | user) − log p(compliant | user) of the last 64 pairs up at +α and down at −α, each with
 * a paired sign-flip test p < 0.01. The margin target (≥ 0.5 nats both ways) is printed per case; it is met only
 * where the line says so (16 of the 40 cases on the committed models; issue 12 asks for all of them).
 * Every case is also measured against the model's committed steering_report.json (the numbers README and
 * lib/train/README cite): the measurement must reproduce it. The cases that do not steer are listed in
 * KNOWN_FAILURES, which must equal the report's list; they are not asserted to steer, and nothing asserts that
 * they fail (a fixed case only shows up as a report that disagrees with the list).
 * Skipped only when data/models/ does not exist yet.
 */
const modelsDir = dataPath("models");
const haveModels = existsSync(modelsDir);
const modelDirs = haveModels ? readdirSync(modelsDir).map((n) => join(modelsDir, n)).filter((d) => existsSync(join(d, "config.json"))).sort() : [];
const concepts = existsSync(dataPath("concepts")) ? readdirSync(dataPath("concepts")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort() : [];
const SEED = 20261128; // the default study's seed: its layer choice

/**
 * Measured negative results of the committed models (issue 12 is open while this list is not empty); it must
 * equal the cases steering_report.json marks as not steering. Why they fail: lib/train/README.md.
 */
const KNOWN_FAILURES = new Set<string>([
  // Sycophancy on llama-tiny: only ITI steers it (raise 0.57 nats); CAA and probe barely move r either way at the
  // "auto" layer (raise ≤ 0.01), PCA's direction lowers r at +α (raise −0.27) and ActAdd's raise is −0.01.
  "llama-tiny/sycophancy/actadd", "llama-tiny/sycophancy/caa", "llama-tiny/sycophancy/pca", "llama-tiny/sycophancy/probe",
  // ActAdd's 4-pair difference on toxicity: too noisy on both models (raise −0.03 on llama-tiny; +0.19, p 0.038, on
  // qwen2-tiny).
  "llama-tiny/toxicity/actadd", "qwen2-tiny/toxicity/actadd",
  // qwen2-tiny: sycophancy PCA raises 0.12 (p 0.095) while it lowers 0.23.
  "qwen2-tiny/sycophancy/pca",
]);

// A hang guard, not a speed target: one (model, concept)'s steerability (5 methods, ITI's head search, 3 strengths
// × 64 teacher-forced pairs) averaged 54 s in CI on a slow 2-core machine (matmul 83 GFLOP/s) and once passed the
// config's 120 s while another test file shared the cores.
const STEERABILITY_HOOK_MS = 600_000;
/** Mean effects over 64 pairs, fp32 CPU kernels: machines differ by ~1e-6 nats; a changed engine or vector by far more. */
const REPORT_TOL = 1e-3;

describe.skipIf(!haveModels)("steering the default models (skipped while data/models/ does not exist: npm run build:models)", () => {
  it("finds checkpoints in data/models", () => expect(modelDirs.length).toBeGreaterThan(0));
  it("has concept data to steer with", () => expect(concepts.length).toBeGreaterThan(0));

  for (const dir of modelDirs) {
    const modelName = dir.split("/").pop()!;
    describe(modelName, () => {
      let engine: Engine;
      const reportFile = join(dir, "steering_report.json");
      const report = JSON.parse(readFileSync(reportFile, "utf8")) as { cases: SteerCase[] };
      beforeAll(async () => {
        setProgressMode("off");
        engine = await createEngine(await loadModel(dir));
      });
      afterAll(async () => { await engine?.dispose(); setProgressMode(null); });

      for (const concept of concepts) {
        describe(concept, () => {
          let cases: Map<string, SteerCase>;
          beforeAll(async () => {
            cases = new Map((await measureSteerability(engine, modelName, concept, { seed: SEED })).map((c) => [c.method, c]));
            for (const c of cases.values()) console.log(steerCaseLine(modelName, c));
          }, STEERABILITY_HOOK_MS);

          it("KNOWN_FAILURES lists exactly the cases steering_report.json marks as not steering", () => {
            const notSteering = report.cases.filter((c) => c.concept === concept && !c.steers).map((c) => `${modelName}/${concept}/${c.method}`).sort();
            const known = [...KNOWN_FAILURES].filter((k) => k.startsWith(`${modelName}/${concept}/`)).sort();
            expect(known).toEqual(notSteering);
          });

          for (const name of METHOD_NAMES) {
            it(`${name}: the measurement reproduces steering_report.json (effects within ${REPORT_TOL} nats, same verdicts)`, () => {
              const c = cases.get(name)!, r = report.cases.find((x) => x.concept === concept && x.method === name);
              expect(r, `steering_report.json has no ${concept}/${name} case`).toBeDefined();
              expect([c.layer, c.alpha, c.n, c.heads ?? null]).toEqual([r!.layer, r!.alpha, r!.n, r!.heads ?? null]);
              for (const k of ["r0", "raise", "lower"] as const) expect(Math.abs(c[k] - r![k]), `${k}: measured ${c[k]}, report ${r![k]}`).toBeLessThan(REPORT_TOL);
              expect([c.steers, c.margin]).toEqual([r!.steers, r!.margin]);
            });
            if (KNOWN_FAILURES.has(`${modelName}/${concept}/${name}`)) continue;
            it(`${name}: +α raises and −α lowers the held-out log-likelihood ratio, each with p < ${STEER_P}`, () => {
              const c = cases.get(name)!;
              const line = steerCaseLine(modelName, c);
              expect(c.n).toBeGreaterThanOrEqual(64);
              expect(c.raise, `+α should raise r (${line})`).toBeGreaterThan(0);
              expect(c.lower, `−α should lower r (${line})`).toBeGreaterThan(0);
              expect(c.pRaise, `raise not significant (${line})`).toBeLessThan(STEER_P);
              expect(c.pLower, `lower not significant (${line})`).toBeLessThan(STEER_P);
              // The margin flag is consistent with the numbers (target MARGIN_TARGET nats both ways).
              expect(c.margin).toBe(c.raise >= MARGIN_TARGET && c.lower >= MARGIN_TARGET);
            });
          }
        });
      }
    });
  }
});
