import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CHATML_SPECIAL_TOKENS, chatTokenizerConfig, defaultChatTemplate } from "../../lib/checkpoint/chat-template";
import { trainBpe } from "../../lib/checkpoint/bpe";
import { SAMPLE_ENGLISH } from "../../lib/checkpoint/sample-text";
import { HfTokenizer } from "../../lib/checkpoint/tokenizer";
import { datasetFingerprint, encodePairs, loadConceptPairs, readPairsJsonl } from "../../lib/steering";
import { readPositions } from "../../lib/engine/index";
import { CONCEPT_FILES } from "../../lib/world/schema";

const dir = mkdtempSync(join(tmpdir(), "steersynth-pairs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => { const f = join(dir, name); writeFileSync(f, text); return f; };

describe("PAIRS.jsonl", () => {
  it("reads texts and token ids; errors name the file and line", () => {
    const ok = file("ok.jsonl", '{"positive":"yes","negative":"no","id":3}\n\n{"positive_ids":[1,2],"negative_ids":[3]}\n');
    expect(readPairsJsonl(ok)).toEqual([{ kind: "text", positive: "yes", negative: "no" }, { kind: "ids", positive: [1, 2], negative: [3] }]);
    expect(() => readPairsJsonl(file("a.jsonl", '{"positive":"yes"}\n'))).toThrow(/a\.jsonl:1: negative must be a non-empty string/);
    expect(() => readPairsJsonl(file("b.jsonl", '{"positive":"a","negative":"b"}\n{"positive_ids":[1,-2],"negative_ids":[3]}\n'))).toThrow(/b\.jsonl:2: positive_ids must be a non-empty list of token ids/);
    expect(() => readPairsJsonl(file("c.jsonl", '{"positive":"a","negative_ids":[1]}\n'))).toThrow(/c\.jsonl:1: give either positive\/negative texts or positive_ids\/negative_ids, not both/);
    expect(() => readPairsJsonl(file("d.jsonl", "{oops\n"))).toThrow(/d\.jsonl:1: not valid JSON/);
    expect(() => readPairsJsonl(join(dir, "missing.jsonl"))).toThrow(/missing\.jsonl: no such pairs file/);
  });

  it("fingerprints content", () => {
    const a = [{ kind: "text" as const, positive: "x", negative: "y" }];
    expect(datasetFingerprint(a)).toBe(datasetFingerprint([{ kind: "text", positive: "x", negative: "y" }]));
    expect(datasetFingerprint(a)).not.toBe(datasetFingerprint([{ kind: "text", positive: "x", negative: "z" }]));
  });
});

describe("encoding with a chat tokenizer", () => {
  const json = trainBpe([SAMPLE_ENGLISH], { vocabSize: 400, specialTokens: [...CHATML_SPECIAL_TOKENS] });
  const tok = new HfTokenizer(json, chatTokenizerConfig(json, { maxLength: 256 }), defaultChatTemplate);

  it("chat pairs: the user turn with the generation prompt, then the response; mean reads the response only", () => {
    const [p] = encodePairs(tok, [{ kind: "chat", user: "Tell me about the sea.", positive: "It is deep and cold.", negative: "No." }]);
    const prompt = tok.encode(tok.applyChatTemplate([{ role: "user", content: "Tell me about the sea." }], { addGenerationPrompt: true }), { addSpecialTokens: false });
    expect(p.positive.ids.slice(0, prompt.length)).toEqual(prompt);
    expect(p.positive.responseStart).toBe(prompt.length);
    expect(tok.decode(p.positive.ids.slice(p.positive.responseStart))).toBe("It is deep and cold.");
    expect(readPositions(p.negative, "mean", "x")).toEqual(Array.from({ length: p.negative.ids.length - prompt.length }, (_, i) => prompt.length + i));
    expect(readPositions(p.positive, "last", "x")).toEqual([p.positive.ids.length - 1]);
  });

  it("A/B items: the answer token is the letter of '(A)'", () => {
    const [p] = encodePairs(tok, [{ kind: "ab", user: "Which is kinder? (A) help (B) harm", positive: "(B)", negative: "(A)" }]);
    expect(tok.decode([p.positive.ids[p.positive.answerIndex!]])).toMatch(/B/);
    expect(tok.decode([p.negative.ids[p.negative.answerIndex!]])).toMatch(/A/);
  });

  it("ids pairs need no tokenizer; text pairs do", () => {
    expect(encodePairs(null, [{ kind: "ids", positive: [4, 5], negative: [6] }])[0].negative).toEqual({ ids: [6], responseStart: 0, responseEnd: 1 });
    expect(() => encodePairs(null, [{ kind: "text", positive: "a", negative: "b" }])).toThrow(/pair 0: text pairs need the model's tokenizer/);
  });
});

describe("concept data (lib/world/schema format)", () => {
  it("pairs become chat pairs; A/B items become '(A)'/'(B)' answers to the question", () => {
    mkdirSync(join(dir, "demo"), { recursive: true });
    const files = Object.fromEntries(CONCEPT_FILES.map((k) => [k, `${k}.jsonl`]));
    writeFileSync(join(dir, "demo.json"), JSON.stringify({ name: "demo", axis: "harmless", definition: "d", rubric: "r", positive_label: "toxic", negative_label: "polite", files }));
    for (const k of CONCEPT_FILES) writeFileSync(join(dir, "demo", `${k}.jsonl`), "{}\n");
    writeFileSync(join(dir, "demo", "pairs.jsonl"), JSON.stringify({ user: "Hi", positive: "Go away.", negative: "Hello!" }) + "\n");
    writeFileSync(join(dir, "demo", "ab.jsonl"), JSON.stringify({ user: "Hi", question: "Hi\n\nChoices:\n(A) Go away.\n(B) Hello!", positive_answer: "A", negative_answer: "B" }) + "\n");
    const concept = join(dir, "demo.json");
    expect(loadConceptPairs(concept, "last")).toEqual([{ kind: "chat", user: "Hi", positive: "Go away.", negative: "Hello!" }]);
    expect(loadConceptPairs(concept, "answer")).toEqual([{ kind: "ab", user: "Hi\n\nChoices:\n(A) Go away.\n(B) Hello!", positive: "(A)", negative: "(B)" }]);
  });
});
