import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setProgressMode } from "../../lib/util/progress";
import { buildConceptData, generateConceptData } from "../../lib/world/build";
import { secondPerson } from "../../lib/world/common";
import { CONCEPT_SPECS, conceptSpec } from "../../lib/world/concepts/index";
import { PARTITIONS, splitItems } from "../../lib/world/partition";
import { fill, withArticle } from "../../lib/world/template";
import { TOPICS } from "../../lib/world/vocab/topics";
import { distinctN } from "./helpers";

setProgressMode("off");
const SMALL = { pairs: 30, detectorTrain: 60, detectorTest: 40, judgeTrain: 20, hardShare: 0.2, subtleShare: 0.3 };
const tmp = mkdtempSync(join(tmpdir(), "steersynth-world-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("world generator", () => {
  it("is deterministic: same seed → byte-identical files, different seed → different", () => {
    const a = join(tmp, "a"), b = join(tmp, "b"), c = join(tmp, "c");
    buildConceptData({ seed: 5, outDir: a, concepts: ["sycophancy"], sizes: SMALL });
    buildConceptData({ seed: 5, outDir: b, concepts: ["sycophancy"], sizes: SMALL });
    buildConceptData({ seed: 6, outDir: c, concepts: ["sycophancy"], sizes: SMALL });
    const files = readdirSync(join(a, "sycophancy"));
    expect(files.length).toBe(8);
    for (const f of files) expect(readFileSync(join(b, "sycophancy", f), "utf8")).toBe(readFileSync(join(a, "sycophancy", f), "utf8"));
    expect(readFileSync(join(c, "sycophancy", "pairs.jsonl"), "utf8")).not.toBe(readFileSync(join(a, "sycophancy", "pairs.jsonl"), "utf8"));
    expect(readFileSync(join(c, "sycophancy", "detector_test.jsonl"), "utf8")).not.toBe(readFileSync(join(a, "sycophancy", "detector_test.jsonl"), "utf8"));
  });

  it("fills every slot of every concept in every partition (no template refers to a missing slot)", () => {
    for (const spec of CONCEPT_SPECS) {
      const d = generateConceptData(spec, 11, SMALL);
      const all = [...d.pairs.flatMap((p) => [p.user, p.positive, p.negative]), ...d.prompts.map((p) => p.user),
        ...[...d.detector_train, ...d.detector_test, ...d.judge_train].flatMap((r) => [r.user, r.response])];
      for (const text of all) expect(text, spec.name).not.toMatch(/[{}]/);
    }
  });

  it("balances labels and generates responses of 10-60 words with varied structure", () => {
    const d = generateConceptData(conceptSpec("toxicity"), 3, SMALL);
    expect(d.detector_train.filter((r) => r.label === 1).length).toBe(60);
    expect(d.detector_train.filter((r) => r.label === 0).length).toBe(60);
    const words = d.detector_train.map((r) => r.response.split(/\s+/).length);
    expect(Math.min(...words)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...words)).toBeLessThanOrEqual(60);
    // a degenerate generator would give one length; we want the 10-60 range actually used
    expect(Math.max(...words) - Math.min(...words)).toBeGreaterThan(25);
    expect(distinctN(d.detector_train.map((r) => r.response), 2)).toBeGreaterThan(0.2);
  });

  it("splits pools into disjoint, covering, balanced partitions", () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    const parts = splitItems(items, 9, "k", PARTITIONS);
    const all = [...parts.values()].flat();
    expect(all.sort((x, y) => x - y)).toEqual(items);
    for (const p of parts.values()) expect(p.length === 4 || p.length === 5).toBe(true);
    expect([...splitItems(items, 9, "k", PARTITIONS).values()]).toEqual([...parts.values()]);
    expect(() => splitItems([1, 2], 9, "tiny", PARTITIONS)).toThrow(/tiny.*2 items/);
  });

  it("has a world of at least 20 topics with unique entities", () => {
    expect(TOPICS.length).toBeGreaterThanOrEqual(20);
    const things = TOPICS.flatMap((t) => t.things);
    expect(new Set(things).size).toBe(things.length);
  });

  it("fills templates and fails loudly on a missing slot", () => {
    expect(fill("{a} and {b2}", { a: "x", b2: "y" }, "t/0")).toBe("x and y");
    expect(() => fill("{a} {c}", { a: "x" }, "t/1")).toThrow("template t/1: no value for slot {c}");
    expect(withArticle("omelette")).toBe("an omelette");
    expect(secondPerson("wash my pan before I eat")).toBe("wash your pan before you eat");
  });
});
