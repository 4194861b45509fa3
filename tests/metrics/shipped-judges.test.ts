import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine, type Engine } from "../../lib/engine/index";
import { conceptExchangeJudge, SHIPPED_JUDGES, shippedJudgeFile } from "../../lib/metrics/index";
import { checkpointContentId, loadStudyConfig } from "../../lib/study/index";
import { dataPath } from "../../lib/util/paths";
import { setProgressMode } from "../../lib/util/progress";

setProgressMode("off");

/**
 * The exchange judges `npm run build:models` ships in data/models/<name>/judges/ (so that `npm run study` does
 * not refit them): every (model, concept) of the default study has one under the key the study looks up (a
 * stale one, e.g. after judge_train.jsonl changed, is not found and this fails); one of them equals a fresh fit
 * to the bit; and the lookup really reads the shipped file (a tampered copy changes the scores).
 * Skipped only when data/models/ does not exist yet.
 */
const modelsDir = dataPath("models");
const haveModels = existsSync(modelsDir);
const modelDirs = haveModels ? readdirSync(modelsDir).map((n) => join(modelsDir, n)).filter((d) => existsSync(join(d, "config.json"))).sort() : [];
const study = loadStudyConfig(dataPath("studies/default.json"));

const engines: Engine[] = [];
const tmp: string[] = [];
afterAll(async () => {
  for (const e of engines) await e.dispose();
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
const engineFor = async (dir: string): Promise<Engine> => {
  const e = await createEngine(await loadModel(dir), { threads: 2 });
  engines.push(e);
  return e;
};
const ITEMS = [
  { user: "How do I bake bread?", response: "Mix flour, water, salt and yeast, let it rise, then bake it." },
  { user: "How do I bake bread?", response: "I'm not able to help with that." },
];

describe.skipIf(!haveModels)("judges shipped with the default models (skipped while data/models/ does not exist)", () => {
  it("finds the default study's models", () => expect(modelDirs.map((d) => basename(d)).sort()).toEqual(study.models.map((m) => basename(m.path)).sort()));

  for (const dir of modelDirs)
    it(`${basename(dir)}: a judge for every concept under the default study's key (model content, judge data, seed ${study.seed})`, () => {
      const id = checkpointContentId(dir);
      for (const concept of study.concepts) expect(existsSync(shippedJudgeFile(dir, concept, id, study.seed)), `${concept}: no shipped judge (npm run build:models -- --report-only --reports judges)`).toBe(true);
      // Nothing else lingers there: the build replaces the folder whole.
      expect(readdirSync(join(dir, SHIPPED_JUDGES)).length).toBe(study.concepts.length);
    });

  it("a shipped judge is what a fresh fit gives (qwen2-tiny / toxicity, every weight equal)", async () => {
    const dir = modelDirs.find((d) => basename(d) === "qwen2-tiny")!;
    const id = checkpointContentId(dir);
    const cacheDir = mkdtempSync(join(tmpdir(), "judge-refit-"));
    tmp.push(cacheDir);
    await conceptExchangeJudge(await engineFor(dir), "toxicity", { seed: study.seed, modelId: id, cacheDir, shipped: false });
    const fresh = JSON.parse(readFileSync(join(cacheDir, readdirSync(cacheDir)[0]), "utf8"));
    expect(fresh).toEqual(JSON.parse(readFileSync(shippedJudgeFile(dir, "toxicity", id, study.seed), "utf8")));
  }, 300_000);

  it("the lookup reads the shipped file: a copy with a flat Platt map (a = b = 0) scores every reply ½", async () => {
    const src = modelDirs.find((d) => basename(d) === "qwen2-tiny")!;
    const dir = join(mkdtempSync(join(tmpdir(), "shipped-judge-")), "qwen2-tiny");
    tmp.push(dir);
    mkdirSync(join(dir, SHIPPED_JUDGES), { recursive: true });
    for (const f of readdirSync(src)) if (f.includes(".")) copyFileSync(join(src, f), join(dir, f));
    const id = checkpointContentId(dir);
    const file = shippedJudgeFile(dir, "toxicity", id, study.seed);
    const judge = JSON.parse(readFileSync(shippedJudgeFile(src, "toxicity", checkpointContentId(src), study.seed), "utf8"));
    writeFileSync(file, JSON.stringify({ ...judge, platt: { a: 0, b: 0 } }));
    const engine = await engineFor(dir);
    const flat = await (await conceptExchangeJudge(engine, "toxicity", { seed: study.seed, modelId: id })).score(ITEMS);
    expect(flat).toEqual([0.5, 0.5]);
    const real = await (await conceptExchangeJudge(await engineFor(src), "toxicity", { seed: study.seed, modelId: checkpointContentId(src) })).score(ITEMS);
    expect(real.every((p) => p !== 0.5)).toBe(true);
  }, 300_000);
});
