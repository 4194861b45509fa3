import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { createEngine } from "../../lib/engine";
import type { Engine } from "../../lib/engine/types";
import { METHOD_NAMES } from "../../lib/steering";
import { MARGIN_TARGET, measureSteerability, STEER_P, steerCaseLine, STRENGTH_LADDERS, STRENGTH_VALIDATION_PAIRS, type SteerCase } from "../../lib/study/steerability";
import { dataPath } from "../../lib/util/paths";
import { setProgressMode } from "../../lib/util/progress";

/**
 * On the embedded default models (data/models/<name>, trained by the project) and its concepts: each method's
 * vector, fitted on the first 176 pairs, steered at the study's "auto" layer and at the strength chosen from the
 * method's ladder on 32 of the fitting pairs (lib/study/steerability STRENGTH_LADDERS), moves the held-out
 * log-likelihood ratio r = log p(violating | user) − log p(compliant | user) of the last 64 pairs up at +α and
 * down at −α, each with a paired sign-flip test p < 0.01, and by at least MARGIN_TARGET (0.5 nats) each way.
 * Every case is also measured against the model's committed steering_report.json (the numbers README and
 * lib/train/README cite): the measurement must reproduce it. The cases that miss are listed — KNOWN_FAILURES (do
 * not steer both ways) and BELOW_MARGIN (steer, but less than the margin) — and the lists must equal the report's;
 * listed cases are not asserted to pass, and nothing asserts that they fail (a fixed case only shows up as a report
 * that disagrees with the lists). Issue 12 is open while either list is not empty.
 * Skipped only when data/models/ does not exist yet.
 */
const modelsDir = dataPath("models");
const haveModels = existsSync(modelsDir);
const modelDirs = haveModels ? readdirSync(modelsDir).map((n) => join(modelsDir, n)).filter((d) => existsSync(join(d, "config.json"))).sort() : [];
const concepts = existsSync(dataPath("concepts")) ? readdirSync(dataPath("concepts")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort() : [];
const SEED = 20261128; // the default study's seed: its layer choice

/**
 * Measured negative results of the committed models (issue 12 is open while either list is not empty); they must
 * equal the cases steering_report.json marks as not steering / steering below the margin. Why: lib/train/README.md.
 * Numbers: held-out raise / lower in nats at the chosen strength (validation effects per rung in the report).
 */
const KNOWN_FAILURES = new Set<string>([
  // ActAdd's 4-pair difference on toxicity: no rung raises r on validation beyond 0.2 nats; held out at ×0.5
  // llama-tiny raises −0.21 (p 0.15) while lowering 0.54, qwen2-tiny +0.19 (p 0.038).
  "llama-tiny/toxicity/actadd", "qwen2-tiny/toxicity/actadd",
  // qwen2-tiny sycophancy: ActAdd reaches the margin at no rung, and the fallback (the largest validation effect,
  // ×4) is noise on held-out pairs (raise 7.8, p 0.27); PCA raises 0.54 on validation at ×1 but −0.02 held out.
  "qwen2-tiny/sycophancy/actadd", "qwen2-tiny/sycophancy/pca",
]);

/** Cases that steer both ways (p < STEER_P) but by less than MARGIN_TARGET. */
const BELOW_MARGIN = new Set<string>([
  // ITI at ×2: validation 0.69 nats up, held out 0.48.
  "qwen2-tiny/hallucination/iti",
]);

// A hang guard, not a speed target: one (model, concept)'s steerability (5 methods, ITI's head search, 4 rungs ×
// 32 validation pairs, 3 strengths × 64 teacher-forced pairs; before the rungs) averaged 54 s in CI on a slow 2-core machine (matmul 83 GFLOP/s) and once passed the
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

          it("KNOWN_FAILURES and BELOW_MARGIN list exactly the cases steering_report.json marks as failing", () => {
            const ours = (list: ReadonlySet<string>) => [...list].filter((k) => k.startsWith(`${modelName}/${concept}/`)).sort();
            const mine = report.cases.filter((c) => c.concept === concept);
            const key = (c: SteerCase) => `${modelName}/${concept}/${c.method}`;
            expect(ours(KNOWN_FAILURES)).toEqual(mine.filter((c) => !c.steers).map(key).sort());
            expect(ours(BELOW_MARGIN)).toEqual(mine.filter((c) => c.steers && !c.margin).map(key).sort());
          });

          for (const name of METHOD_NAMES) {
            it(`${name}: the measurement reproduces steering_report.json (strength, effects within ${REPORT_TOL} nats, verdicts)`, () => {
              const c = cases.get(name)!, r = report.cases.find((x) => x.concept === concept && x.method === name);
              expect(r, `steering_report.json has no ${concept}/${name} case`).toBeDefined();
              expect([c.layer, c.alpha, c.n, c.heads ?? null]).toEqual([r!.layer, r!.alpha, r!.n, r!.heads ?? null]);
              for (const k of ["r0", "raise", "lower"] as const) expect(Math.abs(c[k] - r![k]), `${k}: measured ${c[k]}, report ${r![k]}`).toBeLessThan(REPORT_TOL);
              expect([c.steers, c.margin]).toEqual([r!.steers, r!.margin]);
            });
            it(`${name}: the strength is the gentlest rung reaching the margin both ways on ${STRENGTH_VALIDATION_PAIRS} fitting pairs, else the strongest-moving`, () => {
              const c = cases.get(name)!;
              expect(c.choice.pairs).toBe(STRENGTH_VALIDATION_PAIRS);
              const score = (x: { raise: number; lower: number }) => Math.min(x.raise, x.lower);
              const reaching = c.choice.rungs.findIndex((x) => score(x) >= MARGIN_TARGET);
              // The climb stops at the first rung reaching the margin; otherwise every rung was measured.
              const ladder = STRENGTH_LADDERS[name];
              expect(c.choice.rungs.map((x) => x.alpha)).toEqual(ladder.slice(0, reaching >= 0 ? reaching + 1 : ladder.length));
              const best = Math.max(...c.choice.rungs.map(score));
              expect(c.alpha).toBe(reaching >= 0 ? c.choice.rungs[reaching].alpha : c.choice.rungs.find((x) => score(x) === best)!.alpha);
            });
            const id = `${modelName}/${concept}/${name}`;
            if (KNOWN_FAILURES.has(id)) continue;
            it(`${name}: +α raises and −α lowers the held-out log-likelihood ratio, each with p < ${STEER_P}${BELOW_MARGIN.has(id) ? "" : ` and by ≥ ${MARGIN_TARGET} nats`}`, () => {
              const c = cases.get(name)!;
              const line = steerCaseLine(modelName, c);
              expect(c.n).toBeGreaterThanOrEqual(64);
              expect(c.raise, `+α should raise r (${line})`).toBeGreaterThan(0);
              expect(c.lower, `−α should lower r (${line})`).toBeGreaterThan(0);
              expect(c.pRaise, `raise not significant (${line})`).toBeLessThan(STEER_P);
              expect(c.pLower, `lower not significant (${line})`).toBeLessThan(STEER_P);
              expect(c.margin).toBe(c.raise >= MARGIN_TARGET && c.lower >= MARGIN_TARGET);
              if (BELOW_MARGIN.has(id)) return;
              expect(c.raise, `raise below the margin (${line})`).toBeGreaterThanOrEqual(MARGIN_TARGET);
              expect(c.lower, `lower below the margin (${line})`).toBeGreaterThanOrEqual(MARGIN_TARGET);
            });
          }
        });
      }
    });
  }
});
