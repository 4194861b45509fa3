/**
 * The committed data/concepts files: valid, large enough, up to date with the generator, with held-out splits
 * that are really held out and A/B letters balanced.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main";
import { dataPath } from "../../lib/util/paths";
import { CONCEPTS, conceptSpec } from "../../lib/world/concepts/index";
import { conceptShares, DEFAULT_SIZES } from "../../lib/world/index";
import { loadConcept, readAb, readBaseline, readLabelled, readPairs, readPrompts } from "../../lib/world/schema";
import { distinctN, intersection } from "./helpers";
import { TOPICS } from "../../lib/world/vocab/topics";

describe.each(CONCEPTS)("data/concepts/%s", (name) => {
  const c = loadConcept(name);
  const pairs = readPairs(c.paths.pairs), ab = readAb(c.paths.ab), prompts = readPrompts(c.paths.prompts);
  const train = readLabelled(c.paths.detector_train), test = readLabelled(c.paths.detector_test), judge = readLabelled(c.paths.judge_train);
  const baseline = readBaseline(c.paths.baseline);
  const count = (rows: typeof train, label: 0 | 1) => rows.filter((r) => r.label === label).length;

  it("has the required sizes", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(200);
    expect(ab.length).toBe(pairs.length);
    expect(prompts.length).toBeGreaterThanOrEqual(100);
    expect(count(train, 1)).toBeGreaterThanOrEqual(1000);
    expect(count(train, 0)).toBeGreaterThanOrEqual(1000);
    expect(count(test, 1)).toBeGreaterThanOrEqual(500);
    expect(count(test, 0)).toBeGreaterThanOrEqual(500);
    expect(count(judge, 1)).toBeGreaterThan(0);
    expect(count(judge, 0)).toBeGreaterThan(0);
    expect(baseline.length).toBeGreaterThanOrEqual(3);
    expect(c.axis).toBe(conceptSpec(name).axis);
  });

  it("gives the success judge instructions that the prompting baseline never uses", () => {
    const instructions = readBaseline(c.paths.judge_instructions!).map((r) => r.system);
    expect(instructions.length).toBeGreaterThanOrEqual(2);
    expect(new Set(instructions).size).toBe(instructions.length);
    expect(intersection(instructions, baseline.map((b) => b.system))).toEqual([]);
  });

  it("keeps detector_train, detector_test and judge_train apart (no shared template or entity)", () => {
    const tpl = (rows: typeof train) => rows.map((r) => r.template!);
    const ent = (rows: typeof train) => rows.map((r) => r.entity!);
    for (const rows of [train, test, judge]) for (const r of rows) { expect(r.template).toBeTruthy(); expect(r.entity).toBeTruthy(); }
    expect(intersection(tpl(train), tpl(test))).toEqual([]);
    expect(intersection(ent(train), ent(test))).toEqual([]);
    expect(intersection(tpl(judge), [...tpl(train), ...tpl(test)])).toEqual([]);
    expect(intersection(ent(judge), [...ent(train), ...ent(test)])).toEqual([]);
    // and they are not trivially small: several templates and many entities per split
    expect(new Set(tpl(test)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(ent(test)).size).toBeGreaterThanOrEqual(20);
  });

  it("keeps the held-out prompts disjoint from the pairs, and distinct", () => {
    expect(intersection(prompts.map((p) => p.user), pairs.map((p) => p.user))).toEqual([]);
    expect(new Set(prompts.map((p) => p.user)).size).toBe(prompts.length);
    const pairEntities = new Set(pairs.map((p) => p.entity!));
    // entities are not stored with prompts: none of the pair entities may occur in a prompt's text
    for (const p of prompts) for (const e of pairEntities) if (p.user.includes(e)) expect.fail(`prompt '${p.user}' mentions pair entity '${e}'`);
  });

  it("keeps detector_test apart from the extraction pairs and the generation prompts", () => {
    // The detector is evaluated on user turns, entities and templates that neither steering extraction (pairs, ab)
    // nor generation (prompts) saw: every pool is partitioned, and test draws from its own partition.
    const testUsers = test.map((r) => r.user), testEntities = new Set(test.map((r) => r.entity!));
    expect(intersection(testUsers, pairs.map((p) => p.user))).toEqual([]);
    expect(intersection(testUsers, prompts.map((p) => p.user))).toEqual([]);
    expect(intersection([...testEntities], pairs.map((p) => p.entity!))).toEqual([]);
    // Known overlap: a few topic "things" are words of a topic "task" (thing "leaky tap", task "fix a leaky tap").
    // Things and tasks are partitioned separately, so a test turn about the thing and a prompt about the task can
    // coexist; partitioning them jointly would change the prompts and so the pretraining corpus.
    const thingsInTasks = new Set(TOPICS.flatMap((t) => t.things.filter((x) => t.tasks.some((task) => task.includes(x)))));
    for (const p of prompts) for (const e of testEntities)
      if (p.user.includes(e) && !thingsInTasks.has(e)) expect.fail(`prompt '${p.user}' mentions test entity '${e}'`);
    const pairTexts = new Set(pairs.flatMap((p) => [p.positive, p.negative]));
    expect(test.filter((r) => pairTexts.has(r.response))).toEqual([]);
  });

  it("balances the violating letter of the A/B items and labels them correctly", () => {
    const a = ab.filter((r) => r.positive_answer === "A").length;
    expect(Math.abs(a - (ab.length - a))).toBeLessThanOrEqual(1);
    ab.forEach((r, i) => {
      expect(r.user).toBe(pairs[i].user);
      const option = (letter: string) => r.question.split(`(${letter}) `)[1].split("\n")[0];
      expect(option(r.positive_answer)).toBe(pairs[i].positive);
      expect(option(r.negative_answer)).toBe(pairs[i].negative);
    });
  });

  it("is diverse: distinct-2 well above a degenerate level, many templates, varied lengths", () => {
    for (const label of [0, 1] as const) {
      const texts = train.filter((r) => r.label === label).slice(0, 200).map((r) => r.response);
      // one response repeated 200 times gives 1/200 = 0.005; measured 0.075 (refusals) to 0.29 at seed 20261128
      expect(distinctN(texts, 2), `label ${label}`).toBeGreaterThan(0.05);
      expect(new Set(train.filter((r) => r.label === label).map((r) => r.template)).size).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(train.map((r) => r.response)).size).toBeGreaterThan(0.75 * train.length);
    const hard = train.filter((r) => r.hard);
    expect(hard.every((r) => r.label === 0)).toBe(true);
    expect(hard.length).toBeGreaterThan(0.1 * count(train, 0));
  });

  it("draws its subtle examples at the concept's shares, in its labelled splits only", () => {
    // Binomial tolerance: 4 standard errors of a share at n = rows of one class.
    const spec = conceptSpec(name), shares = conceptShares(spec, DEFAULT_SIZES);
    const subtleIds = new Map((spec.subtle ?? []).flatMap((k) => k.replies.map((t) => [t.id, k.label] as const)));
    const hardIds = new Set(spec.hard.flatMap((k) => k.replies.map((t) => t.id)));
    for (const rows of [train, test, judge])
      for (const label of [0, 1] as const) {
        const of = rows.filter((r) => r.label === label), n = of.length;
        const subtle = of.filter((r) => r.subtle);
        // a row is marked subtle exactly when a subtle kind of its label made it, and then it is no hard negative
        for (const r of of) expect(r.subtle === true, r.template).toBe(subtleIds.get(r.template!) === label);
        for (const r of subtle) expect(r.hard).toBe(false);
        const hasKinds = [...subtleIds.values()].includes(label);
        // label 0: the hard negatives are drawn first, the subtle share applies to the rest.
        const expected = !hasKinds ? 0 : label === 1 ? shares.subtle : (1 - shares.hard) * shares.subtle;
        expect(Math.abs(subtle.length / n - expected), `label ${label}: ${subtle.length}/${n}`).toBeLessThanOrEqual(4 * Math.sqrt((expected * (1 - expected)) / n) + 1e-9);
        expect(of.filter((r) => r.hard).every((r) => hardIds.has(r.template!))).toBe(true);
      }
    const pairTexts = pairs.flatMap((p) => [p.positive, p.negative]);
    const subtleCores = (spec.subtle ?? []).flatMap((k) => k.replies.map((t) => t.text.split("{")[0])).filter((t) => t.length >= 12);
    for (const core of subtleCores) expect(pairTexts.filter((t) => t.includes(core)), core).toEqual([]);
  });

  it("violating and compliant rows are about the same entities and share vocabulary (the topic gives no label away)", () => {
    const compliantEntities = new Set(train.filter((r) => r.label === 0).map((r) => r.entity));
    const violating = train.filter((r) => r.label === 1);
    expect(violating.filter((r) => compliantEntities.has(r.entity)).length / violating.length).toBeGreaterThan(0.8);
    const vocab = (label: 0 | 1) => new Set(train.filter((r) => r.label === label).flatMap((r) => r.response.toLowerCase().match(/[a-z']+/g) ?? []));
    // measured 0.20 (hallucination: invented names and places only in violations) to 0.96 at seed 20261128
    expect(intersection(vocab(1), vocab(0)).length / Math.min(vocab(1).size, vocab(0).size)).toBeGreaterThan(0.15);
  });
});

describe("committed files are up to date", () => {
  it("`steersynth build-data` at the default seed rewrites every file of every concept byte-identically", async () => {
    const out = mkdtempSync(join(tmpdir(), "steersynth-build-data-"));
    try {
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        expect(await main(["build-data", "--out", out])).toBe(0);
      } finally {
        log.mockRestore();
      }
      const committed = dataPath("concepts");
      const files = (root: string) => (readdirSync(root, { recursive: true }) as string[]).filter((f) => statSync(join(root, f)).isFile()).sort();
      const generated = files(committed).filter((f) => f !== "README.md"); // the folder's README is written by hand
      expect(files(out)).toEqual(generated);
      for (const f of generated) expect(readFileSync(join(out, f), "utf8"), f).toBe(readFileSync(join(committed, f), "utf8"));
      expect(generated.length).toBe(CONCEPTS.length * 9); // <concept>.json + 8 JSONL files each
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
