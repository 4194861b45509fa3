// Dev diagnostic (issue 16): the exchange success judge's scores per template family of detector_test.
// Usage: tsx scripts/dev/judge-families.ts data/models/llama-tiny [concept...]
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine } from "../../lib/engine/index";
import { conceptExchangeJudge } from "../../lib/metrics/judges/exchange-judge";
import { auroc } from "../../lib/metrics/stats";
import { expectedCalibrationError } from "../../lib/metrics/calibration";
import { mean } from "../../lib/math/index";
import { setProgressMode } from "../../lib/util/index";
import { loadConcept, readLabelled } from "../../lib/world/index";

setProgressMode("off");
const [dir, ...cs] = process.argv.slice(2);
const engine = await createEngine(await loadModel(dir));
for (const concept of cs.length ? cs : ["toxicity", "sycophancy", "hallucination", "refusal"]) {
const t0 = performance.now();
const judge = await conceptExchangeJudge(engine, concept, { seed: 20261128, modelId: dir });
const test = readLabelled(loadConcept(concept).paths.detector_test);
const scores = await judge.score(test.map((r) => ({ user: r.user, response: r.response })));
console.log(`${dir} ${concept}: detector_test AUROC ${auroc(test.map((r) => r.label), scores).toFixed(4)} ECE ${expectedCalibrationError(test.map((r) => r.label), scores).toFixed(4)} (n ${test.length}, ${((performance.now() - t0) / 1000).toFixed(1)} s fit + score)`);
const fam = (t: string | undefined) => (t ?? "?").replace(/\/[^/]*$/, "");
for (const f of [...new Set(test.map((r) => fam(r.template)))].sort()) {
  const idx = test.flatMap((r, i) => (fam(r.template) === f ? [i] : []));
  const byT = new Map<string, number[]>();
  for (const i of idx) { const t = test[i].template ?? "?"; (byT.get(t) ?? byT.set(t, []).get(t)!).push(scores[i]); }
  console.log(`${f} label ${test[idx[0]].label}: n ${idx.length} mean ${mean(idx.map((i) => scores[i])).toFixed(3)}  per template ${[...byT].sort().map(([t, s]) => `${t.split("/").pop()}:${mean(s).toFixed(2)}`).join(" ")}`);
}
}
await engine.dispose();
