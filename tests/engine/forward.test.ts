import { afterAll, describe, expect, it } from "vitest";
import { SITES, type ArchName } from "../../lib/arch/spec";
import { createEngine } from "../../lib/engine";
import { blocksRun } from "../../lib/engine/graph";
import { referenceForward } from "../../lib/engine/reference";
import { logSoftmaxAt } from "../../lib/math/index";
import type { Engine, SampleSteering } from "../../lib/engine/types";
import { memoryModel, randomIds, randomVector, realRelError, SPECS, unitVector } from "./fixtures";

/**
 * The ONNX engine's forward against the plain-TS reference (lib/engine/reference.ts) on random models of every
 * architecture. Tolerance: max |engine − reference| ≤ 1e-4 · max |reference| per tensor over real positions
 * (both compute in fp32; observed ~1e-6, while a wrong mask, position or norm shows as 1e-2 or more).
 */
const REL_TOL = 1e-4;
const ARCHS = Object.keys(SPECS) as ArchName[];
const engines = new Map<ArchName, Engine>();
const engineFor = async (arch: ArchName): Promise<Engine> => {
  if (!engines.has(arch)) engines.set(arch, await createEngine(memoryModel(SPECS[arch], 7), { threads: 1 }));
  return engines.get(arch)!;
};
afterAll(async () => { for (const e of engines.values()) await e.dispose(); });

/** Mixed steering for a batch of 3: resid add + ablation on one sample, per-head add on another, none on the third. */
function mixedSteering(arch: ArchName, window: SampleSteering["window"]): (SampleSteering | null)[] {
  const s = SPECS[arch];
  return [
    { window, add: { "1.resid_post": randomVector(s.hidden, 1, 2) }, ablate: { "2.resid_post": unitVector(s.hidden, 2) } },
    { window, add: { "0.attn_out": randomVector(s.nHeads * s.headDim, 3, 2), "2.resid_post": randomVector(s.hidden, 4, 2) } },
    null,
  ];
}

describe.each(ARCHS)("%s forward", (arch) => {
  const spec = SPECS[arch];
  const ids = randomIds(spec, [11, 7, 4], 5);

  it("logits and every site at every layer match the reference on a left-padded batch", async () => {
    const engine = await engineFor(arch);
    const got = await engine.forward(ids, { capture: { sites: [...SITES] } });
    const ref = referenceForward(spec, engine.model.weights, ids, { capture: { sites: [...SITES] } });
    expect(got.pad).toEqual([0, 4, 7]);
    expect(got.seqLen).toBe(11);
    expect(realRelError(got.logits, ref.logits, got.pad, got.seqLen), "logits").toBeLessThanOrEqual(REL_TOL);
    expect([...got.captures.keys()].sort()).toEqual([...ref.captures.keys()].sort());
    for (const [key, want] of ref.captures) expect(realRelError(got.captures.get(key)!, want, got.pad, got.seqLen), key).toBeLessThanOrEqual(REL_TOL);
  });

  it("logits \"targets\": each position's log-probability of the next token matches a float64 log-softmax (2e-5 nats), with the last logits", async () => {
    // The graph's LogSoftmax is float32 and the reference's float64: |Δ| per token ~1e-6 on these logits (|z| < 10);
    // a shifted target (position p reading token p instead of p + 1) or a wrong row shows as 0.1 nats or more.
    const engine = await engineFor(arch);
    const steering = mixedSteering(arch, "all");
    const got = await engine.forward(ids, { logits: "targets", steering });
    const ref = referenceForward(spec, engine.model.weights, ids, { logits: "targets", steering });
    const all = await engine.forward(ids, { logits: "all", steering });
    const T = got.seqLen, V = spec.vocabSize;
    expect(got.targetLogprobs!.length).toBe(ids.length * T);
    ids.forEach((seq, b) => {
      for (let t = 0; t < T; t++) {
        const p = t - got.pad[b], at = b * T + t;
        if (p < 0 || p + 1 >= seq.length) { expect(got.targetLogprobs![at], `(${b}, ${t}) holds no target`).toBe(0); continue; }
        expect(Math.abs(got.targetLogprobs![at] - ref.targetLogprobs![at]), `(${b}, ${t}) vs the reference`).toBeLessThanOrEqual(2e-5);
        // From the engine's own "all" logits (float64 log-softmax in JS): the same numbers, up to float32 rounding.
        expect(Math.abs(got.targetLogprobs![at] - logSoftmaxAt(all.logits, seq[p + 1], at * V, V)), `(${b}, ${t}) vs its logits`).toBeLessThanOrEqual(2e-5);
      }
      const last = all.logits.subarray((b * T + T - 1) * V, (b * T + T) * V);
      expect(got.logits.subarray(b * V, (b + 1) * V)).toEqual(last);
    });
  });

  it("a left-padded batch equals running each sample alone", async () => {
    const engine = await engineFor(arch);
    const batch = await engine.forward(ids, { capture: { sites: ["resid_post"], layers: [1] } });
    for (let b = 0; b < ids.length; b++) {
      const one = await engine.forward([ids[b]], { capture: { sites: ["resid_post"], layers: [1] } });
      const T = batch.seqLen, n = ids[b].length, V = spec.vocabSize, H = spec.hidden;
      const rows = (x: Float32Array, w: number) => x.subarray((b * T + batch.pad[b]) * w, (b + 1) * T * w);
      expect(realRelError(rows(batch.logits, V), one.logits, [0], n)).toBeLessThanOrEqual(1e-5);
      expect(realRelError(rows(batch.captures.get("1.resid_post")!, H), one.captures.get("1.resid_post")!, [0], n)).toBeLessThanOrEqual(1e-5);
    }
  });

  it.each(["prompt", "generated", "all"] as const)("steering (add, per-head add, ablation; window %s) matches the reference", async (window) => {
    const engine = await engineFor(arch);
    const steering = mixedSteering(arch, window);
    const promptLengths = [6, 7, 2];
    const opts = { steering, promptLengths, capture: { sites: ["attn_out", "resid_post"] as ("attn_out" | "resid_post")[] } };
    const got = await engine.forward(ids, opts);
    const ref = referenceForward(spec, engine.model.weights, ids, opts);
    const plain = referenceForward(spec, engine.model.weights, ids, {});
    // the steering must change something, or this test could not tell it from a no-op
    expect(realRelError(plain.logits, ref.logits, got.pad, got.seqLen)).toBeGreaterThan(1e-2);
    expect(realRelError(got.logits, ref.logits, got.pad, got.seqLen), "logits").toBeLessThanOrEqual(REL_TOL);
    for (const [key, want] of ref.captures) expect(realRelError(got.captures.get(key)!, want, got.pad, got.seqLen), key).toBeLessThanOrEqual(REL_TOL);
  });

  it("per-sample steering in one batch equals separate runs, and 'last' logits are the last row of 'all'", async () => {
    const engine = await engineFor(arch);
    const steering = mixedSteering(arch, "all");
    const batch = await engine.forward(ids, { steering, logits: "last" });
    const V = spec.vocabSize;
    for (let b = 0; b < ids.length; b++) {
      const one = await engine.forward([ids[b]], { steering: [steering[b]] });
      const n = ids[b].length;
      expect(realRelError(batch.logits.subarray(b * V, (b + 1) * V), one.logits.subarray((n - 1) * V), [0], 1)).toBeLessThanOrEqual(1e-5);
    }
  });

  it("a capture without logits stops after its last captured block: the same bits as the whole graph's, steering after it ignored", async () => {
    // logits "none" builds a graph of blocks 0..1 only (graph.ts blocksRun); logits "all" runs every block. The
    // mixed steering adds at 0.attn_out and 1.resid_post (inside the cut) and at 2.resid_post (after it: no input
    // there, so the engine must not feed it). Blocks 0..1 are the same operators on the same inputs in both graphs.
    const cutVariant = { logits: "none" as const, kv: false, capture: { sites: ["resid_post" as const], layers: [0, 1] } };
    expect(blocksRun(spec, cutVariant)).toBe(2);
    expect(blocksRun(spec, { ...cutVariant, logits: "all" })).toBe(spec.nLayers);
    expect(blocksRun(spec, { ...cutVariant, kv: true })).toBe(spec.nLayers);
    const engine = await engineFor(arch);
    const steering = mixedSteering(arch, "all");
    const capture = { sites: ["attn_out", "resid_post"] as const, layers: [0, 1] };
    const cut = await engine.forward(ids, { capture: { sites: [...capture.sites], layers: capture.layers }, logits: "none", steering });
    const whole = await engine.forward(ids, { capture: { sites: [...capture.sites], layers: capture.layers }, logits: "all", steering });
    expect([...cut.captures.keys()].sort()).toEqual([...whole.captures.keys()].sort());
    for (const [key, want] of whole.captures) expect(Array.from(cut.captures.get(key)!), key).toEqual(Array.from(want));
    // Steering only after the cut changes nothing it returns.
    const late: SampleSteering = { window: "all", add: { "2.resid_post": randomVector(spec.hidden, 9, 5) } };
    const plain = await engine.forward(ids, { capture: { sites: ["resid_post"], layers: [1] }, logits: "none" });
    const steeredLate = await engine.forward(ids, { capture: { sites: ["resid_post"], layers: [1] }, logits: "none", steering: [late, late, late] });
    expect(Array.from(steeredLate.captures.get("1.resid_post")!)).toEqual(Array.from(plain.captures.get("1.resid_post")!));
  });
});

describe("forward input validation", () => {
  it("rejects steering keys naming a layer or site the model does not have, and wrong widths", async () => {
    const engine = await engineFor("llama");
    const H = SPECS.llama.hidden, L = SPECS.llama.nLayers;
    const ids = [[3, 4, 5]];
    const run = (s: SampleSteering) => engine.forward(ids, { steering: [s] });
    await expect(run({ window: "all", add: { [`${L}.resid_post`]: new Float32Array(H) } })).rejects.toThrow(`layer ${L} does not exist`);
    await expect(run({ window: "all", add: { "0.resid_mid": new Float32Array(H) } })).rejects.toThrow("site 'resid_mid' cannot be steered");
    await expect(run({ window: "all", add: { "0.mlp_out": new Float32Array(H) } })).rejects.toThrow("site 'mlp_out'");
    await expect(run({ window: "all", add: { layer0: new Float32Array(H) } })).rejects.toThrow("expected a key '<layer>.<site>'");
    await expect(run({ window: "all", add: { "0.resid_post": new Float32Array(H + 1) } })).rejects.toThrow(`'0.resid_post']: expected a Float32Array of ${H} values`);
    await expect(run({ window: "all", ablate: { "0.attn_out": unitVector(SPECS.llama.nHeads * SPECS.llama.headDim, 1) } })).rejects.toThrow("cannot be ablated");
    await expect(run({ window: "all", ablate: { "0.resid_post": randomVector(H, 1, 3) } })).rejects.toThrow("unit length");
    await expect(engine.forward(ids, { steering: [null, null] })).rejects.toThrow("2 entries for a batch of 1");
  });

  it("rejects bad token ids and capture layers", async () => {
    const engine = await engineFor("llama");
    await expect(engine.forward([[3, SPECS.llama.vocabSize]])).rejects.toThrow("expected an integer token id");
    await expect(engine.forward([[]])).rejects.toThrow("non-empty");
    await expect(engine.forward([[3]], { capture: { sites: ["resid_post"], layers: [99] } })).rejects.toThrow("layer 99 does not exist");
  });
});
