import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONCEPT_FILES, loadConcept, readAb, readLabelled, readPairs, readPrompts } from "../../lib/world/schema";

const tmp = mkdtempSync(join(tmpdir(), "steersynth-schema-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string): string => { const p = join(tmp, name); writeFileSync(p, text); return p; };
const good = { user: "u", positive: "p", negative: "n" };

describe("JSONL readers", () => {
  it("read valid rows, skipping blank lines", () => {
    expect(readPairs(file("ok.jsonl", JSON.stringify(good) + "\n\n" + JSON.stringify(good) + "\n"))).toHaveLength(2);
  });

  it("name file, line and field for a missing or empty field", () => {
    const p = file("pairs.jsonl", [good, good, { user: "u", positive: "p", negative: "" }].map((r) => JSON.stringify(r)).join("\n"));
    expect(() => readPairs(p)).toThrow(`${p}:3: field 'negative' must be a non-empty string`);
    const q = file("pairs2.jsonl", JSON.stringify({ user: "u", positive: "p" }));
    expect(() => readPairs(q)).toThrow(`${q}:1: field 'negative' must be a non-empty string`);
  });

  it("reject bad JSON with its line", () => {
    const p = file("bad.jsonl", `${JSON.stringify({ user: "a" })}\n{"user": "b",\n`);
    expect(() => readPrompts(p)).toThrow(new RegExp(`${p}:2: invalid JSON`));
    const q = file("arr.jsonl", "[1, 2]\n");
    expect(() => readPrompts(q)).toThrow(`${q}:1: each line must be a JSON object`);
  });

  it("reject a wrong label", () => {
    const p = file("det.jsonl", [{ user: "u", response: "r", label: 1 }, { user: "u", response: "r", label: "1" }].map((r) => JSON.stringify(r)).join("\n"));
    expect(() => readLabelled(p)).toThrow(`${p}:2: field 'label' must be one of 0, 1, got "1"`);
    const q = file("det2.jsonl", JSON.stringify({ user: "u", response: "r", label: 0, hard: "yes" }));
    expect(() => readLabelled(q)).toThrow(`${q}:1: field 'hard' must be true or false`);
    const r = file("det3.jsonl", JSON.stringify({ user: "u", response: "r", label: 1, subtle: 1 }));
    expect(() => readLabelled(r)).toThrow(`${r}:1: field 'subtle' must be true or false`);
    // optional flags are kept only where present
    expect(readLabelled(file("det4.jsonl", JSON.stringify({ user: "u", response: "r", label: 1, subtle: true })))[0]).toEqual({ user: "u", response: "r", label: 1, template: undefined, entity: undefined, subtle: true });
  });

  it("check A/B items: letters, distinct answers, labelled options", () => {
    const row = { user: "u", question: "u\n\nChoices:\n(A) x\n(B) y", positive_answer: "A", negative_answer: "B" };
    expect(readAb(file("ab.jsonl", JSON.stringify(row)))).toHaveLength(1);
    const p = file("ab2.jsonl", JSON.stringify({ ...row, negative_answer: "A" }));
    expect(() => readAb(p)).toThrow(`${p}:1: fields 'positive_answer' and 'negative_answer' must differ`);
    const q = file("ab3.jsonl", JSON.stringify({ ...row, positive_answer: "C" }));
    expect(() => readAb(q)).toThrow(`${q}:1: field 'positive_answer' must be one of "A", "B", got "C"`);
    const r = file("ab4.jsonl", JSON.stringify({ ...row, question: "no options" }));
    expect(() => readAb(r)).toThrow(`${r}:1: field 'question' must contain the options labelled (A) and (B)`);
  });

  it("reject an empty or missing file", () => {
    const p = file("empty.jsonl", "\n");
    expect(() => readPrompts(p)).toThrow(`${p}: no rows`);
    expect(() => readPrompts(join(tmp, "nope.jsonl"))).toThrow("nope.jsonl: file not found");
  });
});

describe("loadConcept", () => {
  const meta = {
    name: "mine", axis: "honest", definition: "d", rubric: "r", positive_label: "bad", negative_label: "good",
    files: Object.fromEntries(CONCEPT_FILES.map((k) => [k, `${k}.jsonl`])),
  };
  mkdirSync(join(tmp, "mine"), { recursive: true });
  for (const k of CONCEPT_FILES) writeFileSync(join(tmp, "mine", `${k}.jsonl`), "");

  it("loads a user concept by path and resolves its files", () => {
    const c = loadConcept(file("mine.json", JSON.stringify(meta)));
    expect(c.name).toBe("mine");
    expect(c.paths.pairs).toBe(join(tmp, "mine", "pairs.jsonl"));
    expect(c.paths.judge_instructions).toBeUndefined(); // optional, not listed
  });

  it("resolves an optional file when listed and checks that it exists", () => {
    writeFileSync(join(tmp, "mine", "judge_instructions.jsonl"), "");
    const c = loadConcept(file("m5.json", JSON.stringify({ ...meta, files: { ...meta.files, judge_instructions: "judge_instructions.jsonl" } })));
    expect(c.paths.judge_instructions).toBe(join(tmp, "mine", "judge_instructions.jsonl"));
    const q = file("m6.json", JSON.stringify({ ...meta, files: { ...meta.files, judge_instructions: "gone.jsonl" } }));
    expect(() => loadConcept(q)).toThrow(`${q}: field 'files.judge_instructions' names ${join(tmp, "mine", "gone.jsonl")}, which does not exist`);
  });

  it("names the field that is wrong", () => {
    const p = file("m1.json", JSON.stringify({ ...meta, axis: "kind" }));
    expect(() => loadConcept(p)).toThrow(`${p}: field 'axis' must be one of "harmless", "honest", "helpful", got "kind"`);
    const q = file("m2.json", JSON.stringify({ ...meta, files: { ...meta.files, ab: "missing.jsonl" } }));
    expect(() => loadConcept(q)).toThrow(`${q}: field 'files.ab' names ${join(tmp, "mine", "missing.jsonl")}, which does not exist`);
    const r = file("m3.json", "{ not json");
    expect(() => loadConcept(r)).toThrow(`${r}: invalid JSON`);
    const s = file("m4.json", JSON.stringify({ ...meta, rubric: "" }));
    expect(() => loadConcept(s)).toThrow(`${s}: field 'rubric' must be a non-empty string`);
  });

  it("loads the embedded concepts by name and rejects unknown names", () => {
    expect(loadConcept("refusal").axis).toBe("helpful");
    expect(() => loadConcept("no-such-concept")).toThrow(/data\/concepts\/no-such-concept\.json: concept file not found/);
  });

  it("shows repository files relative to the root", () => {
    expect(() => readPairs(loadConcept("toxicity").paths.prompts)).toThrow("data/concepts/toxicity/prompts.jsonl:1: field 'positive' must be a non-empty string");
  });
});
