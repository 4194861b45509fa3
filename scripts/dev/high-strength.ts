/**
 * What steered text turns into as strength grows, per model (issue 12: token salad, repetition, topic drift).
 *   npx tsx scripts/dev/high-strength.ts [model dir …]      (default: both default models)
 * For every concept and study method: the vector fitted as the default study fits it (data/studies/default.json:
 * read policy, "auto" layer by the study's seed), generated at 0 and at each grid strength on 24 held-out prompts
 * with the study's sampling (seeded). Per strength, over all concepts (96 replies per method and strength):
 *   empty     share of empty replies;
 *   nonword   share of word tokens that never occur in the concept world's text (data/concepts/*: every pair,
 *             judge and detector reply and prompt) — invented spellings, the mark of token salad;
 *   repeat    share of word 3-grams that repeat an earlier 3-gram of the same reply (loops);
 *   topic     share on topic by lib/metrics/topicality (a content word shared with the prompt).
 * A dev measurement for lib/train/README.md; nothing here is a test.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine, encodePrompts } from "../../lib/engine/index";
import { tokenize, topicality } from "../../lib/metrics/index";
import { buildSweep, chooseLayer, datasetFingerprint, encodePairs, extractVector, loadConceptPairs } from "../../lib/steering/index";
import { parseStudyConfig } from "../../lib/study/config";
import { setProgressMode, deriveSeed } from "../../lib/util/index";
import { CONCEPTS, loadConcept, readPrompts } from "../../lib/world/index";

setProgressMode("off");
const cfg = parseStudyConfig(JSON.parse(readFileSync("data/studies/default.json", "utf8")), "data/studies/default.json");
const dirs = process.argv.length > 2 ? process.argv.slice(2) : cfg.models.map((m) => m.path);
const N_PROMPTS = 24;

// Every word of the world's concept data: what the models were trained to write.
const known = new Set<string>();
for (const c of readdirSync("data/concepts", { withFileTypes: true }).filter((e) => e.isDirectory()))
  for (const f of readdirSync(join("data/concepts", c.name)).filter((f) => f.endsWith(".jsonl")))
    for (const w of tokenize(readFileSync(join("data/concepts", c.name, f), "utf8"))) known.add(w);
const words = (t: string) => tokenize(t).filter((w) => /^\p{L}/u.test(w));

const pct = (x: number) => `${Math.round(100 * x)}`.padStart(4);

for (const dir of dirs) {
  const engine = await createEngine(await loadModel(dir));
  const name = dir.split("/").filter(Boolean).pop()!;
  // method → strength → sums over concepts
  const acc = new Map<string, Map<number, { n: number; empty: number; nonword: number; words: number; rep: number; grams: number; topic: number }>>();
  for (const concept of CONCEPTS) {
    const meta = loadConcept(concept);
    const prompts = readPrompts(meta.paths.prompts).map((p) => p.user);
    const users = prompts.slice(0, N_PROMPTS);
    const { onTopic } = topicality(prompts);
    const layer = (await chooseLayer(engine, encodePairs(engine.model.tokenizer, loadConceptPairs(concept, "mean")), { read: "mean", seed: cfg.seed })).layer;
    for (const [method, mc] of Object.entries(cfg.methods)) {
      const raw = loadConceptPairs(concept, mc.read);
      // As the study: at the chosen layer, or over every layer for a method that picks its own sites (ITI).
      const vector = await extractVector(engine, encodePairs(engine.model.tokenizer, raw), { method, layers: mc.method.allLayers ? "all" : [layer], read: mc.read, dataset: datasetFingerprint(raw), seed: cfg.seed });
      const strengths = [0, ...mc.strengths];
      const sweep = buildSweep(encodePrompts(engine.model, users, { chat: true }), strengths, { terms: [{ vector }], window: mc.method.window ?? cfg.sampling.window });
      const { maxNewTokens, temperature, topP, topK } = cfg.sampling;
      const gens = await engine.generate(sweep.ids, {
        maxNewTokens, temperature, topP, topK, batchSize: 64, steering: sweep.steering,
        seeds: sweep.cells.map((c) => deriveSeed(cfg.seed, "high-strength", concept, c.prompt)),
      });
      const byStrength = acc.get(method) ?? new Map();
      acc.set(method, byStrength);
      gens.forEach((g, i) => {
        const s = sweep.cells[i].strength, text = g.text ?? "", ws = words(text);
        const a = byStrength.get(s) ?? { n: 0, empty: 0, nonword: 0, words: 0, rep: 0, grams: 0, topic: 0 };
        const grams = ws.slice(2).map((_, k) => ws.slice(k, k + 3).join(" "));
        a.n++; a.empty += text.trim() ? 0 : 1; a.words += ws.length; a.nonword += ws.filter((w) => !known.has(w)).length;
        a.grams += grams.length; a.rep += grams.filter((x, k) => grams.indexOf(x) < k).length;
        a.topic += onTopic(users[sweep.cells[i].prompt], text) ? 1 : 0;
        byStrength.set(s, a);
      });
    }
  }
  console.log(`\n${name}: per method and strength, % of replies empty / word tokens unknown to the world / 3-grams repeated / replies on topic (${N_PROMPTS} prompts × ${CONCEPTS.length} concepts)`);
  for (const [method, byStrength] of acc) {
    const cells = [...byStrength].sort((a, b) => a[0] - b[0]).map(([s, a]) =>
      `×${s}: ${pct(a.empty / a.n)}${pct(a.nonword / Math.max(1, a.words))}${pct(a.rep / Math.max(1, a.grams))}${pct(a.topic / a.n)}`);
    console.log(`  ${method.padEnd(7)} ${cells.join(" | ")}`);
  }
  await engine.dispose();
}
