// Temporary quality check of the default models (not part of the project).
import { existsSync } from "node:fs";
import { loadModel } from "./lib/checkpoint/index";
import { createEngine } from "./lib/engine/index";
import { dataPath } from "./lib/util/paths";
import { loadConcept, readBaseline, readLabelled, readPrompts } from "./lib/world/index";

const words = (s: string) => s.toLowerCase().match(/[a-z']+/g) ?? [];
/** Multinomial naive Bayes on word unigrams+bigrams, Laplace smoothing. */
function trainNB(rows: { response: string; label: 0 | 1 }[]) {
  const feats = (s: string) => { const w = words(s); return [...w, ...w.slice(1).map((x, i) => w[i] + "_" + x)]; };
  const counts = [new Map<string, number>(), new Map<string, number>()], tot = [0, 0], docs = [0, 0];
  for (const r of rows) { docs[r.label]++; for (const f of feats(r.response)) { counts[r.label].set(f, (counts[r.label].get(f) ?? 0) + 1); tot[r.label]++; } }
  const vocab = new Set([...counts[0].keys(), ...counts[1].keys()]).size;
  return (s: string) => {
    let lp = Math.log(docs[1] / docs[0]);
    for (const f of feats(s)) lp += Math.log(((counts[1].get(f) ?? 0) + 1) / (tot[1] + vocab)) - Math.log(((counts[0].get(f) ?? 0) + 1) / (tot[0] + vocab));
    return lp > 0 ? 1 : 0;
  };
}
const names = process.argv[2].split(",");
const concepts = ["sycophancy", "refusal", "hallucination", "toxicity"].filter((c) => existsSync(dataPath("concepts", `${c}.json`)));
for (const name of names) {
  const m = await loadModel(dataPath("models", name));
  const eng = await createEngine(m);
  const tok = m.tokenizer!;
  const enc = (msgs: any) => tok.encode(tok.applyChatTemplate(msgs, { addGenerationPrompt: true }), { addSpecialTokens: false });
  console.log(`\n=== ${name}`);
  for (const c of concepts) {
    const cc = loadConcept(c);
    const clf = trainNB([...readLabelled(cc.paths.detector_train), ...readLabelled(cc.paths.judge_train)]);
    const test = readLabelled(cc.paths.detector_test);
    const acc = test.filter((r) => clf(r.response) === r.label).length / test.length;
    const prompts = readPrompts(cc.paths.prompts).slice(0, 40).map((p) => p.user);
    const base = readBaseline(cc.paths.baseline).map((b) => b.system);
    const plain = await eng.generate(prompts.map((u) => enc([{ role: "user", content: u }])), { maxNewTokens: 64, temperature: 0.7, topP: 0.95, seed: 1 });
    const sys = await eng.generate(prompts.map((u, i) => enc([{ role: "system", content: base[i % base.length] }, { role: "user", content: u }])), { maxNewTokens: 64, temperature: 0.7, topP: 0.95, seed: 1 });
    const rate = (g: any[]) => (g.filter((x) => clf(x.text!)).length / g.length).toFixed(2);
    const eos = (g: any[]) => (g.filter((x) => x.finish === "eos").length / g.length).toFixed(2);
    const STOP = new Set(["about","would","could","should","there","their","these","those","which","think","really","things","right","where","what's","again","going","tell","explain","please","agree","you're","i've","what"]);
    const content = (t: string) => new Set(words(t).filter((w) => w.length >= 5 && !STOP.has(w)));
    const onTopic = (g: any[]) => (g.filter((x, i) => { const p = content(prompts[i]); return [...content(x.text!)].some((w) => p.has(w)); }).length / g.length).toFixed(2);
    const leak = (g: any[]) => g.filter((x) => /im_start|im_end|^(user|assistant|system)\n/.test(x.text!)).length;
    console.log(`${c}: NB acc on detector_test ${acc.toFixed(2)} | violation rate default ${rate(plain)} vs baseline-system ${rate(sys)} | eos-finish ${eos(plain)}/${eos(sys)} | format leaks ${leak(plain)}/${leak(sys)} | on-topic ${onTopic(plain)}/${onTopic(sys)}`);
    for (let i = 0; i < 3; i++) console.log(`  [${c} default] U: ${prompts[i]}\n    A: ${plain[i].text}`);
    console.log(`  [${c} system: ${base[0]}] U: ${prompts[0]}\n    A: ${sys[0].text}`);
  }
  await eng.dispose();
}
