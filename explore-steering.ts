import { loadModel } from "./lib/checkpoint/load";
import { createEngine } from "./lib/engine";
import { setProgressMode } from "./lib/util/progress";
import { buildSweep, capturePairs, createMethod, encodePairs, loadConceptPairs, modelIdentity, scoreLayers, vectorFromActivations, layerTable } from "./lib/steering";
setProgressMode("off");
const engine = await createEngine(await loadModel(process.cwd() + "/data/models/llama-tiny"));
const V = engine.model.spec.vocabSize;
for (const concept of process.argv.slice(2)) {
  const raw = loadConceptPairs(concept, "mean");
  const pairs = encodePairs(engine.model.tokenizer, raw.slice(0, 40)), held = encodePairs(engine.model.tokenizer, raw.slice(40, 50));
  const all = [0, 1, 2, 3];
  const rp = await capturePairs(engine, pairs, { site: "resid_post", layers: all, read: "mean" });
  const ao = await capturePairs(engine, pairs, { site: "attn_out", layers: all, read: "mean" });
  console.log(concept + "\n" + layerTable(scoreLayers(rp, { seed: 1 })));
  const texts = [...held.map((p) => p.positive), ...held.map((p) => p.negative)];
  const model = modelIdentity("llama-tiny", engine.model.spec);
  const evalv = async (vector: any, layers: number[] | undefined, alphas: number[]) => {
    const sweep = buildSweep(texts.map((t) => t.ids), alphas, { terms: [layers ? { vector, layers } : { vector }], window: "all" });
    const out = await engine.forward(sweep.ids, { steering: sweep.steering, logits: "all" });
    const r = new Map<number, number>();
    sweep.cells.forEach((c, b) => {
      const t = texts[c.prompt]; let s = 0;
      for (let p = t.responseStart; p < t.responseEnd; p++) {
        const row = out.logits.subarray((b * out.seqLen + out.pad[b] + p - 1) * V, (b * out.seqLen + out.pad[b] + p) * V);
        let m = -Infinity; for (const x of row) m = Math.max(m, x); let z = 0; for (const x of row) z += Math.exp(x - m);
        s += row[t.ids[p]] - m - Math.log(z);
      }
      r.set(c.strength, (r.get(c.strength) ?? 0) + (c.prompt < held.length ? s : -s) / held.length);
    });
    return [...r].map(([a, v]) => `${a}:${v.toFixed(2)}`).join(" ");
  };
  for (const name of ["caa", "actadd"] as const) {
    const v = vectorFromActivations(rp, createMethod(name), { model, read: "mean", dataset: "x" });
    for (const l of all) console.log(name, "L" + l, await evalv(v, [l], [-0.25, -0.1, -0.03, 0, 0.03, 0.1, 0.25]));
  }
  const iti = vectorFromActivations(ao, createMethod("iti"), { model, read: "mean", dataset: "x" });
  console.log("iti", JSON.stringify([...iti.layerInfo]), await evalv(iti, undefined, [-4, -1, -0.3, 0, 0.3, 1, 4]));
}
await engine.dispose();
