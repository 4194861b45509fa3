import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { readIdsFile } from "../../lib/cli/commands/hidden";
import { readGenerations } from "../../lib/metrics/generations";
import { readPairsJsonl } from "../../lib/steering/dataset";
import { loadStudyConfig } from "../../lib/study/config";
import { readShard } from "../../lib/study/results";
import { dataPath } from "../../lib/util/paths";
import { readAb, readBaseline, readLabelled, readPairs, readPrompts } from "../../lib/world/index";
import { fuzzParams, jsonValue, mutatedObject, outcome } from "./harness";

/**
 * Every JSONL reader (and the JSON readers of ids, study configs and shards) on files mixing valid lines,
 * lines with a field replaced or removed, arbitrary JSON, cut lines and blank lines: rows of the documented
 * types, or a clear error naming the file.
 */
const dir = mkdtempSync(join(tmpdir(), "fuzz-readers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isStr = (v: unknown) => typeof v === "string";
interface Reader { name: string; valid: Record<string, unknown>; read: (file: string) => unknown[]; row: (r: Record<string, unknown>) => boolean }
const READERS: Reader[] = [
  { name: "generations", valid: { text: "a reply", prompt: "a question" }, read: readGenerations, row: (r) => isStr(r.text) && (r.prompt === undefined || isStr(r.prompt)) },
  { name: "pairs (texts)", valid: { positive: "yes", negative: "no" }, read: readPairsJsonl, row: (r) => r.kind === "text" && isStr(r.positive) && isStr(r.negative) },
  { name: "pairs (ids)", valid: { positive_ids: [1, 2], negative_ids: [3] }, read: readPairsJsonl, row: (r) => r.kind === "ids" && Array.isArray(r.positive) && (r.positive as unknown[]).every(Number.isInteger) },
  { name: "concept pairs", valid: { user: "u", positive: "p", negative: "n" }, read: readPairs, row: (r) => isStr(r.user) && isStr(r.positive) && isStr(r.negative) },
  { name: "A/B items", valid: { user: "u", question: "(A) x (B) y", positive_answer: "A", negative_answer: "B" }, read: readAb, row: (r) => r.positive_answer !== r.negative_answer },
  { name: "prompts", valid: { user: "u" }, read: readPrompts, row: (r) => isStr(r.user) },
  { name: "labelled", valid: { user: "u", response: "r", label: 1 }, read: readLabelled, row: (r) => isStr(r.user) && isStr(r.response) && (r.label === 0 || r.label === 1) },
  { name: "baseline", valid: { system: "s" }, read: readBaseline, row: (r) => isStr(r.system) },
];

const line = (valid: Record<string, unknown>): fc.Arbitrary<string> => fc.oneof(
  { weight: 3, arbitrary: fc.constant(JSON.stringify(valid)) },
  { weight: 3, arbitrary: mutatedObject(valid).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.nat(30).map((n) => JSON.stringify(valid).slice(0, n)) },
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "\r", "\uFEFF{}", "NaN", "{\"text\": \"a\"} trailing") },
);

describe("fuzz: JSON-lines readers", () => {
  it.each(READERS)("$name", ({ name, valid, read, row }) => {
    const file = join(dir, `${name.replace(/\W/g, "_")}.jsonl`);
    fc.assert(fc.property(fc.array(line(valid), { maxLength: 6 }), (lines) => {
      writeFileSync(file, lines.join("\n"));
      const r = outcome(() => read(file), file);
      if (r.ok) {
        expect(r.value.length).toBeGreaterThan(0);
        for (const x of r.value) expect(row(x as Record<string, unknown>)).toBe(true);
      }
    }), fuzzParams(400));
  });
});

describe("fuzz: JSON readers", () => {
  it("ids files: any JSON", () => {
    const file = join(dir, "ids.json");
    fc.assert(fc.property(fc.oneof(jsonValue(), fc.array(fc.array(fc.oneof(fc.integer({ min: -2, max: 9 }), jsonValue()), { maxLength: 4 }), { maxLength: 3 })), fc.boolean(), (v, equal) => {
      writeFileSync(file, JSON.stringify(v) ?? "");
      const r = outcome(() => readIdsFile(file, "fuzz", equal), file);
      if (r.ok) for (const s of r.value) expect(s.length > 0 && s.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    }), fuzzParams(500));
  });

  it("study configs: a field of the default config replaced, deleted or given an edge value", () => {
    const base = JSON.parse(readFileSync(dataPath("studies", "default.json"), "utf8")) as Record<string, unknown>;
    const nested = (key: string) => mutatedObject(base[key] as Record<string, unknown>).map((o) => ({ ...base, [key]: o }));
    const file = join(dir, "study.json");
    fc.assert(fc.property(fc.oneof(mutatedObject(base), nested("sampling"), nested("detector"), nested("methods"), nested("diversity")), (cfg) => {
      writeFileSync(file, JSON.stringify(cfg));
      const r = outcome(() => loadStudyConfig(file), file);
      if (r.ok) {
        expect(/^[A-Za-z0-9._-]+$/.test(r.value.name) && r.value.name !== "..").toBe(true);
        expect(r.value.samples).toBeGreaterThanOrEqual(2);
        expect(r.value.sampling.topP).toBeLessThanOrEqual(1);
      }
    }), fuzzParams(600));
  });

  it("shard files: fields replaced or deleted, any JSON", () => {
    const row = { concept: "c", model: "m", method: "caa", aurocs: [0.5], examples: [] };
    const shard = { format: "steersynth.study-shard/1", study: "s", plan: "p", shard: { index: 0, count: 1 }, totalUnits: 1, units: [{ index: 0, id: "u", rows: [row] }] };
    const file = join(dir, "0-of-1.json");
    fc.assert(fc.property(fc.oneof(
      mutatedObject(shard),
      mutatedObject(row).map((r) => ({ ...shard, units: [{ index: 0, id: "u", rows: [r] }] })),
      jsonValue(),
    ), (v) => {
      writeFileSync(file, JSON.stringify(v) ?? "");
      outcome(() => readShard(file), file);
    }), fuzzParams(500));
  });
});
