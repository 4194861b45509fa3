// Dev experiment (issue 16): which feature blocks let the exchange judge generalise to held-out templates.
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine, encodeExchange, encodePrompts, forwardByLength, readRows, truncateExchange } from "../../lib/engine/index";
import { exchangeFeatures, exchangeFeatureWidth, lexicalBlock } from "../../lib/metrics/judges/exchange-features";
import { crossFitBlocks } from "../../lib/metrics/judges/exchange-judge";
import { applyPlatt, expectedCalibrationError, fitPlatt } from "../../lib/metrics/calibration";
import { logitsBatchSize, responseTokenNll } from "../../lib/metrics/coherence";
import { auroc } from "../../lib/metrics/stats";
import { fitLogistic } from "../../lib/math/index";
import { setProgressMode } from "../../lib/util/index";
import { loadConcept, readLabelled, readPairs } from "../../lib/world/index";
import { systemPromptSplit } from "../../lib/world/prompts";
import { conceptSpec } from "../../lib/world/concepts/index";
import { DEFAULT_SEED } from "../../lib/world/defaults";
import { judgeTrainFile } from "../../lib/metrics/judges/concept-data";

setProgressMode("off");
const [dir, concept] = process.argv.slice(2);
const engine = await createEngine(await loadModel(dir));
const spec = engine.model.spec, tok = engine.model.tokenizer!, H = spec.hidden, L = spec.nLayers;
const pairsRows = process.env.PAIRS ? readPairs(loadConcept(concept).paths.pairs).flatMap((p, i) => [{ user: p.user, response: p.positive, label: 1, template: `pairs/p/${i % 8}`, entity: p.entity }, { user: p.user, response: p.negative, label: 0, template: `pairs/n/${i % 8}`, entity: p.entity }]) : [];
const train = [...readLabelled(judgeTrainFile(concept)), ...pairsRows] as ReturnType<typeof readLabelled>, test = readLabelled(loadConcept(concept).paths.detector_test);
const FIRST = Number(process.env.FIRST ?? 12);

async function blocks(rows: typeof train) {
  const base = await exchangeFeatures(engine, rows);
  const W0 = exchangeFeatureWidth(engine);
  const enc = rows.map((r, i) => truncateExchange(encodeExchange(tok, r.user ?? "", r.response, `row ${i}`), spec.maxPositions));
  const n = rows.length;
  const mk = () => Array.from({ length: L }, () => new Float32Array(n * H));
  const mean = mk(), first = mk(), user = mk(), last = mk(), turn = mk();
  await forwardByLength(engine, enc.map((e) => e.ids), { batchSize: logitsBatchSize(enc.map((e) => e.ids), spec.vocabSize), label: "x", capture: { sites: ["resid_post"], layers: [...Array(L).keys()] }, logits: "none" }, (res, b, i) => {
    const e = enc[i];
    const range = (a: number, z: number) => Array.from({ length: Math.max(1, z - a) }, (_, k) => a + k);
    for (let l = 0; l < L; l++) {
      const acts = res.captures.get(`${l}.resid_post`)!;
      readRows(mean[l], H, i, acts, res.seqLen, res.pad[b], b, range(e.responseStart, e.responseEnd));
      readRows(first[l], H, i, acts, res.seqLen, res.pad[b], b, range(e.responseStart, Math.min(e.responseEnd, e.responseStart + FIRST)));
      readRows(user[l], H, i, acts, res.seqLen, res.pad[b], b, range(0, e.responseStart));
      readRows(last[l], H, i, acts, res.seqLen, res.pad[b], b, [e.responseEnd - 1]);
      readRows(turn[l], H, i, acts, res.seqLen, res.pad[b], b, [e.responseStart - 1]);
    }
  });
  const unit = (a: Float32Array) => { for (let i = 0; i < n; i++) { let s = 0; for (let k = 0; k < H; k++) s += a[i * H + k] ** 2; s = 1 / Math.sqrt(s || 1); for (let k = 0; k < H; k++) a[i * H + k] *= s; } return a; };
  const [lx0, lx1] = lexicalBlock(engine);
  const slice = (a: number, z: number) => { const w = z - a, o = new Float32Array(n * w); for (let i = 0; i < n; i++) o.set(base.subarray(i * W0 + a, i * W0 + z), i * w); return o; };
  const out: Record<string, { x: Float32Array; w: number }> = {
    base: { x: base, w: W0 }, lex: { x: slice(lx0, lx1), w: lx1 - lx0 }, claim: { x: slice(lx1, W0), w: W0 - lx1 },
  };
  for (let l = 0; l < L; l++) {
    out[`mean${l}`] = { x: unit(mean[l]), w: H }; out[`first${l}`] = { x: unit(first[l]), w: H };
    out[`user${l}`] = { x: unit(user[l]), w: H }; out[`turn${l}`] = { x: unit(turn[l]), w: H }; out[`last${l}`] = { x: unit(last[l]), w: H };
  }
  if (process.env.INST) {
    const sp = systemPromptSplit(conceptSpec(concept), DEFAULT_SEED); const systems = sp.corpus.filter((x) => !sp.baseline.includes(x)).slice(0, Number(process.env.INST));
    console.log("instructions:", JSON.stringify(systems));
    const resp = enc.map((e) => e.ids.slice(e.responseStart, e.responseEnd));
    const plain = await responseTokenNll(engine, rows.map((r, i) => ({ promptIds: encodePrompts(engine.model, [r.user ?? ""], { chat: true })[0], responseIds: resp[i] })));
    const feats = new Float32Array(n * 2);
    for (const sys of systems) {
      const inst = await responseTokenNll(engine, rows.map((r, i) => ({ promptIds: encodePrompts(engine.model, [r.user ?? ""], { chat: true, system: sys })[0], responseIds: resp[i] })));
      for (let i = 0; i < n; i++) {
        let a = 0, f = 0; const m = Math.min(plain[i].length, inst[i].length), mf = Math.min(m, FIRST);
        for (let k = 0; k < m; k++) { const d = plain[i][k] - inst[i][k]; a += d; if (k < mf) f += d; }
        feats[2 * i] += a / m / systems.length; feats[2 * i + 1] += f / mf / systems.length;
      }
    }
    const SC = Number(process.env.INST_SCALE ?? 0.3);
    for (let i = 0; i < 2 * n; i++) feats[i] *= SC;
    out.inst = { x: feats, w: 2 };
    console.log(`inst alone: AUROC mean ${auroc(rows.map((r) => r.label), Array.from({ length: n }, (_, i) => feats[2 * i])).toFixed(3)} first ${auroc(rows.map((r) => r.label), Array.from({ length: n }, (_, i) => feats[2 * i + 1])).toFixed(3)}`);
  }
  return out;
}
const cat = (bs: { x: Float32Array; w: number }[], n: number, scale: number[]) => {
  const W = bs.reduce((s, b) => s + b.w, 0), x = new Float32Array(n * W);
  for (let i = 0; i < n; i++) { let o = 0; bs.forEach((b, j) => { for (let k = 0; k < b.w; k++) x[i * W + o + k] = scale[j] * b.x[i * b.w + k]; o += b.w; }); }
  return { x, W };
};
const tr = await blocks(train), te = await blocks(test);
const ytr = train.map((r) => r.label), yte = test.map((r) => r.label);
const K = 3, cf = crossFitBlocks(train, K, 20261128);
function run(names: string[], scale: number[]) {
  const a = cat(names.map((s) => tr[s]), train.length, scale), b = cat(names.map((s) => te[s]), test.length, scale);
  const oof = new Array(train.length).fill(0), zt = new Float64Array(test.length);
  for (let p = 0; p < K; p++) for (let q = 0; q < K; q++) {
    const idx = ytr.flatMap((_, i) => (cf.template[i] !== p && cf.entity[i] !== q ? [i] : []));
    const xs = new Float32Array(idx.length * a.W); idx.forEach((i, k) => xs.set(a.x.subarray(i * a.W, (i + 1) * a.W), k * a.W));
    const m = fitLogistic(xs, idx.map((i) => ytr[i]), a.W, { l2: Number(process.env.L2 ?? 1e-4), iterations: Number(process.env.IT ?? 300) });
    const lg = (x: Float32Array, i: number) => { let z = m.b; for (let k = 0; k < a.W; k++) z += m.w[k] * x[i * a.W + k]; return z; };
    ytr.forEach((_, i) => { if (cf.template[i] === p && cf.entity[i] === q) oof[i] = lg(a.x, i); });
    for (let i = 0; i < test.length; i++) zt[i] += lg(b.x, i) / (K * K);
  }
  const pl = fitPlatt(oof, ytr), s = Array.from(zt, (z) => applyPlatt(pl, z));
  if (process.env.FAM) { const fam = (t?: string) => (t ?? "?").replace(/\/[^/]*$/, ""); const fs = [...new Set(test.map((r) => fam(r.template)))].sort(); console.log(fs.map((f) => { const ix = test.flatMap((r, i) => (fam(r.template) === f ? [i] : [])); return `${f.split("/").pop()}:${(ix.reduce((a, i) => a + s[i], 0) / ix.length).toFixed(2)}`; }).join(" ")); }
  console.log(`${names.join("+").padEnd(40)} scale ${scale.join(",")}  oof ${auroc(ytr, oof).toFixed(3)}  test ${auroc(yte, s).toFixed(3)} ece ${expectedCalibrationError(yte, s).toFixed(3)}`);
}
const combos = (process.env.COMBOS ?? "base;mean3+last3+lex+claim;first3+mean3+last3+lex+claim;mean0+mean1+mean2+mean3+last3+lex+claim;first0+first1+first2+first3+lex+claim;user3+mean3+last3+lex+claim;first1+first2+first3+mean3+last3+lex+claim").split(";");
for (const c of combos) { const names = c.split("+"); run(names, names.map((n) => (n === "claim" ? 1 : 1))); }
await engine.dispose();
