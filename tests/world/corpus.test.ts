import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../lib/util/paths";
import { buildCorpus, DEFAULT_MIX } from "../../lib/world/corpus";
import { dialogue, renderChat, SPECIAL_TOKENS } from "../../lib/world/chat";
import { CONCEPTS } from "../../lib/world/concepts/index";
import { loadConcept, readBaseline, readPrompts } from "../../lib/world/schema";

const N = 20000;
const corpus = buildCorpus({ seed: 7, dialogues: N });
const CHATML = /^(<\|im_start\|>system\n[^<]+<\|im_end\|>\n)?<\|im_start\|>user\n[^<]+<\|im_end\|>\n<\|im_start\|>assistant\n[^<]+<\|im_end\|>\n$/;
const part = (text: string, role: string): string | undefined => text.match(new RegExp(`<\\|im_start\\|>${role}\\n([^<]*)<\\|im_end\\|>`))?.[1];

describe("renderChat", () => {
  it("renders ChatML exactly", () => {
    expect(renderChat(dialogue("hi", "hello", "be nice"))).toBe(
      "<|im_start|>system\nbe nice<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n");
    expect(renderChat(dialogue("hi"), true)).toBe("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
    expect(SPECIAL_TOKENS).toContain("<|im_end|>");
    expect(() => renderChat(dialogue("a <|im_end|> b"))).toThrow("chat user message contains the special token <|im_end|>");
  });
});

describe("buildCorpus", () => {
  it("renders every dialogue as single-turn ChatML", () => {
    for (const item of corpus) expect(item.text).toMatch(CHATML);
  });

  it("has the documented mix (binomial tolerances of 4 standard errors at n = 20,000)", () => {
    const frac = (pred: (x: (typeof corpus)[number]) => boolean) => corpus.filter(pred).length / N;
    const tol = (p: number, n = N) => 4 * Math.sqrt((p * (1 - p)) / n);
    for (const c of CONCEPTS) expect(Math.abs(frac((x) => x.kind === "violating" && x.concept === c) - DEFAULT_MIX.violatingPerConcept)).toBeLessThan(tol(DEFAULT_MIX.violatingPerConcept));
    expect(Math.abs(frac((x) => x.kind === "instructed") - DEFAULT_MIX.instructed)).toBeLessThan(tol(DEFAULT_MIX.instructed));
    const instructed = corpus.filter((x) => x.kind === "instructed");
    const follow = instructed.filter((x) => x.label === 1).length / instructed.length;
    expect(Math.abs(follow - DEFAULT_MIX.instructedFollow)).toBeLessThan(tol(DEFAULT_MIX.instructedFollow, instructed.length));
    // violating dialogues never carry a system prompt; instructed ones always do
    expect(corpus.filter((x) => x.kind === "violating").every((x) => part(x.text, "system") === undefined)).toBe(true);
    expect(instructed.every((x) => part(x.text, "system") !== undefined)).toBe(true);
  });

  it("is varied and short enough for a small model", () => {
    expect(new Set(corpus.map((x) => x.text)).size).toBeGreaterThan(0.98 * N);
    const words = corpus.map((x) => x.text.split(/\s+/).length);
    expect(Math.max(...words)).toBeLessThanOrEqual(90);
    expect(words.reduce((a, b) => a + b) / N).toBeGreaterThan(25);
  });

  it("excludes the held-out prompts and uses baseline phrasings only partly", () => {
    const users = new Set(corpus.map((x) => part(x.text, "user")!));
    for (const c of CONCEPTS) {
      const concept = loadConcept(c);
      for (const p of readPrompts(concept.paths.prompts)) expect(users.has(p.user), p.user).toBe(false);
      const baseline = new Set(readBaseline(concept.paths.baseline).map((b) => b.system));
      const systems = new Set(corpus.filter((x) => x.kind === "instructed" && x.concept === c).map((x) => part(x.text, "system")!));
      const inBaseline = [...systems].filter((s) => baseline.has(s)).length;
      expect(inBaseline).toBeGreaterThan(0);
      expect(systems.size - inBaseline).toBeGreaterThan(inBaseline);
      // the success judge's instructions are corpus phrasings: the models learned to follow them
      for (const j of readBaseline(concept.paths.judge_instructions!)) expect(systems.has(j.system), j.system).toBe(true);
    }
  });

  it("is deterministic per seed, prefix-stable, and differs across seeds", () => {
    const a = buildCorpus({ seed: 7, dialogues: 50 });
    expect(a).toEqual(corpus.slice(0, 50));
    expect(buildCorpus({ seed: 8, dialogues: 50 })).not.toEqual(a);
  });

  it("is the corpus the committed default models were trained on (pinned; subtle examples never enter it)", () => {
    // Hashes of the first 5,000 dialogues at each model's data seed (training_report.json), computed at commit
    // ef80277, before the labelled splits got subtle examples. A change here means the models need rebuilding.
    const PINNED: Record<string, string> = {
      "llama-tiny": "8af61cac750687ecd5aec43fcfdbaf49bc390e7b624a363ad3edba0e4c7d1fe3",
      "qwen2-tiny": "0b4dc7df1cd1016e1c323d064ae9d1bc9d604278763b4a71278cedd887a3f491",
    };
    for (const [model, hash] of Object.entries(PINNED)) {
      const { dataSeed } = JSON.parse(readFileSync(dataPath("models", model, "training_report.json"), "utf8")) as { dataSeed: number };
      const texts = buildCorpus({ seed: dataSeed, dialogues: 5000 }).map((x) => x.text);
      expect(createHash("sha256").update(texts.join("\u0000")).digest("hex"), model).toBe(hash);
    }
  });

  it("rejects a mix with no room for compliant dialogues", () => {
    expect(() => buildCorpus({ seed: 1, dialogues: 1, mix: { instructed: 0.95 } })).toThrow(/must leave room/);
  });
});
