// Dev diagnostic (issue 12): per (model, concept, method), steering margins on held-out pairs at several
// layers / strengths / read policies. Usage: tsx scripts/dev/margins.ts data/models/llama-tiny [concept...]
// Env: READS, METHODS, WINDOW, ALL_LAYERS; strengths ALPHAS (resid_post methods), ACTADD_ALPHAS, ITI_ALPHAS (comma lists).
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine } from "../../lib/engine/index";
import { capturePairs, chooseLayer, createMethod, datasetFingerprint, encodePairs, loadConceptPairs, METHOD_NAMES, modelIdentity, pairLogRatioRows, validateSpec, vectorWithEffect } from "../../lib/steering/index";
import { mean } from "../../lib/math/index";
import { setProgressMode } from "../../lib/util/index";

setProgressMode("off");
const [dir, ...cs] = process.argv.slice(2);
const concepts = cs.length ? cs : ["toxicity", "sycophancy", "hallucination", "refusal"];
const engine = await createEngine(await loadModel(dir));
const name = dir.split("/").filter(Boolean).pop()!;
const NL = engine.model.spec.nLayers;
const all = Array.from({ length: NL }, (_, l) => l);

const t = (d: number[]) => { const m = mean(d); const s = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (d.length - 1)); return m / (s / Math.sqrt(d.length)); };
for (const concept of concepts) {
  const raw = loadConceptPairs(concept, "mean");
  const ext = raw.slice(0, 176), held = encodePairs(engine.model.tokenizer, raw.slice(176));
  const pairs = encodePairs(engine.model.tokenizer, ext);
  const choice = await chooseLayer(engine, encodePairs(engine.model.tokenizer, raw), { read: "mean", seed: 20261128 });
  console.log(`${name}/${concept}: chosen L${choice.layer}; choice effects ${choice.effects.map((e) => `L${e.layer} +${e.raise.toFixed(2)}/-${e.lower.toFixed(2)}`).join(" ")}`);
  for (const read of (process.env.READS ?? "mean").split(",") as ("mean" | "answer" | "last")[]) {
    const pairs = encodePairs(engine.model.tokenizer, loadConceptPairs(concept, read).slice(0, 176));
    const acts = { resid_post: await capturePairs(engine, pairs, { site: "resid_post", layers: all, read }), attn_out: await capturePairs(engine, pairs, { site: "attn_out", layers: all, read }) };
    for (const m of (process.env.METHODS ?? METHOD_NAMES.join(",")).split(",")) {
      const method = createMethod(m);
      const vector = await vectorWithEffect(engine, acts[method.site], method, pairs, { model: modelIdentity(name, engine.model.spec), read, dataset: datasetFingerprint(ext) });
      const layers = m === "iti" ? [null] : (process.env.ALL_LAYERS ? all : [choice.layer]);
      const env = process.env[m === "iti" ? "ITI_ALPHAS" : m === "actadd" ? "ACTADD_ALPHAS" : "ALPHAS"];
      const alphas = env ? env.split(",").map(Number) : m === "iti" ? [1, 2, 4, 8] : m === "actadd" ? [0.5, 1, 2, 4] : [0.25, 0.5, 1];
      for (const layer of layers) {
        const spec = { terms: [layer === null ? { vector } : { vector, layers: [layer] }], window: (process.env.WINDOW ?? "all") as "all" };
        validateSpec(spec, engine.model.spec);
        const strengths = [0, ...alphas.flatMap((a) => [-a, a])];
        const rows = await pairLogRatioRows(engine, held, spec, strengths);
        const parts = alphas.map((a, i) => {
          const minus = rows[1 + 2 * i], plus = rows[2 + 2 * i], zero = rows[0];
          const up = plus.map((x, j) => x - zero[j]), dn = zero.map((x, j) => x - minus[j]);
          return `α${a}: +${mean(up).toFixed(2)}(t${t(up).toFixed(1)}) -${mean(dn).toFixed(2)}(t${t(dn).toFixed(1)})`;
        });
        const where = layer === null ? `heads ${JSON.stringify([...vector.layerInfo].map(([l, i]) => [l, i.heads]))}` : `L${layer}`;
        console.log(`  ${read} ${m}@${where}: ${parts.join("  ")}`);
      }
    }
  }
}
await engine.dispose();
