// Dev check (lib/metrics/README.md, "Coherence"): the validation rows "violating vs compliant" and "real vs swap"
// for one compliant reference for every text (the judge before 2026-12-07) and for the per-class reference, on the
// study's validation rows and seed. `npx tsx scripts/dev/coherence-reference.ts` (about 2 minutes).
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine } from "../../lib/engine/index";
import { coherenceJudge } from "../../lib/metrics/coherence-judge";
import { conceptExchangeJudge } from "../../lib/metrics/judges/exchange-judge";
import { rememberLast } from "../../lib/metrics/judges/remember";
import { coherenceReferences, validateConceptJudges } from "../../lib/metrics/judges/validate-concept";
import { checkpointContentId } from "../../lib/study/identity";
for (const m of ["llama-tiny", "qwen2-tiny"]) {
  const dir = `data/models/${m}`;
  const engine = await createEngine(await loadModel(dir));
  for (const c of ["toxicity", "sycophancy", "hallucination", "refusal"]) {
    const refs = await coherenceReferences(engine, c);
    const success = rememberLast(await conceptExchangeJudge(engine, c, { seed: 20261128, modelId: checkpointContentId(dir), cacheDir: ".cache/judges" }));
    const old = { ...coherenceJudge(engine, { compliant: refs.compliant, violating: refs.compliant }, null), id: "old" };
    const v = await validateConceptJudges({ concept: c, model: m, success: [], coherence: [old, coherenceJudge(engine, refs, success)], seed: 20261128, coherenceItems: 60, bootstrapIterations: 200 });
    const pick = (j: string, set: string) => v.rows.find((r) => r.judge.startsWith(j) && r.set === set)!.auroc.toFixed(3);
    const corruptions = ["shuffle", "cut", "repeat", "salad", "swap"].map((k) => `${k} ${pick("old", `real vs ${k}`)}/${pick("coherence", `real vs ${k}`)}`);
    console.log(`${m} ${c}: violating vs compliant old ${pick("old", "violating vs compliant")} new ${pick("coherence", "violating vs compliant")} | old/new ${corruptions.join(" ")}`);
  }
}
