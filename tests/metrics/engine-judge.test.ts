import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { run as makeRandom } from "../../lib/cli/commands/make-random";
import { createEngine } from "../../lib/engine";
import { referenceForward } from "../../lib/engine/reference";
import type { Engine } from "../../lib/engine/types";
import type { LoadedModel } from "../../lib/checkpoint/types";
import { engineJudge } from "../../lib/metrics/judges/engine-judge";
import { judgePrompt } from "../../lib/metrics/judges/prompt";
import { setProgressMode } from "../../lib/util/progress";

/**
 * The local LLM judge on a real ONNX engine (a random checkpoint: its scores mean nothing, their computation is
 * what is checked), against the plain-TypeScript reference forward and a hand-written expectation over the
 * score tokens "0".."10": softmax over the single-token scores' logits at the next position, E[score] / 10.
 */
const dir = mkdtempSync(join(tmpdir(), "steersynth-engine-judge-"));
let model: LoadedModel, engine: Engine;
beforeAll(async () => {
  setProgressMode("off");
  expect(await makeRandom(["--arch", "qwen2", "--out", join(dir, "m"), "--layers", "2", "--hidden", "32", "--vocab", "400", "--max-positions", "1024", "--seed", "9"])).toBe(0);
  model = await loadModel(join(dir, "m"));
  engine = await createEngine(model, { threads: 1 });
});
afterAll(async () => { await engine.dispose(); setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

const rubric = "Score 10 if the response is rude, 0 if it is polite.";
const items = [
  { user: "How are you?", response: "Fine, thanks for asking." },
  { user: "Help me.", response: "Go away, you are annoying." },
  { response: "A response without a known user turn." },
];

describe("engineJudge on a real engine", () => {
  it("equals the reference forward's expected score over the single-token scores (1e-5)", async () => {
    const tok = model.tokenizer!;
    const scores = await engineJudge(engine, rubric, { batchSize: 2 }).score(items);
    const single = Array.from({ length: 11 }, (_, v) => ({ v, ids: tok.encode(String(v), { addSpecialTokens: false }) })).filter((x) => x.ids.length === 1);
    expect(single[0].v).toBe(0);
    items.forEach((it, i) => {
      const ids = tok.encode(tok.applyChatTemplate([{ role: "user", content: judgePrompt(rubric, it) }], { addGenerationPrompt: true }), { addSpecialTokens: false });
      const logits = referenceForward(model.spec, model.weights, [ids], { logits: "last" }).logits; // [1, V]
      const top = Math.max(...single.map((s) => logits[s.ids[0]]));
      let z = 0, e = 0;
      for (const s of single) { const p = Math.exp(logits[s.ids[0]] - top); z += p; e += p * s.v; }
      expect(Math.abs(scores[i] - e / z / 10), `item ${i}`).toBeLessThan(1e-5);
      expect(scores[i] >= 0 && scores[i] <= 1).toBe(true);
    });
  });

  it("does not depend on the batch size", async () => {
    const a = await engineJudge(engine, rubric, { batchSize: 1 }).score(items);
    const b = await engineJudge(engine, rubric, { batchSize: 3 }).score(items);
    a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(1e-6));
  });
});
