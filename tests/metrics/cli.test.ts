import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as diversity } from "../../lib/cli/commands/diversity";
import { run as score } from "../../lib/cli/commands/score";
import { run as makeRandom } from "../../lib/cli/commands/make-random";
import { main } from "../../lib/cli/main";
import { sampleDiversity, setDiversity } from "../../lib/metrics/diversity";
import { setProgressMode } from "../../lib/util/progress";

/**
 * The CLI contracts: `diversity --input G.jsonl --out D.json` → {set: {distinct_1..4, self_bleu, compression_ratio,
 * vendi_ngram, ...}, samples: [...] in input order}; `score` adds success / coherence / HM fields only for the
 * judges asked for.
 */
const dir = mkdtempSync(join(tmpdir(), "steersynth-metrics-cli-"));
const gen = join(dir, "G.jsonl");
const texts = ["The cat sat on the mat.", "A dog ran in the park!", "", "you idiot, that is stupid", "thanks, happy to help"];

beforeAll(() => {
  setProgressMode("off");
  writeFileSync(gen, texts.map((text, i) => JSON.stringify(i % 2 ? { text, prompt: "Tell me something.", extra: 1 } : { text })).join("\n") + "\n");
});
afterAll(() => { setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

describe("steersynth diversity", () => {
  it("writes the D.json contract with the library's numbers, samples in input order", async () => {
    const out = join(dir, "D.json");
    expect(await diversity(["--input", gen, "--out", out])).toBe(0);
    const d = JSON.parse(readFileSync(out, "utf8"));
    for (const k of ["distinct_1", "distinct_2", "distinct_3", "distinct_4", "self_bleu", "compression_ratio", "vendi_ngram"]) expect(typeof d.set[k]).toBe("number");
    expect(d.set).toEqual(JSON.parse(JSON.stringify(setDiversity(texts))));
    expect(d.samples).toHaveLength(texts.length);
    d.samples.forEach((s: Record<string, number>, i: number) => {
      for (const k of ["distinct_1", "distinct_2", "distinct_3", "distinct_4", "compression_ratio"]) expect(typeof s[k]).toBe("number");
      expect(s).toEqual(sampleDiversity(texts[i]));
    });
  });
  it("rejects bad input with a message naming the file and line", async () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, `{"text": "ok"}\n{"txt": "no"}\n`);
    expect(await main(["diversity", "--input", bad, "--out", join(dir, "x.json")])).toBe(1);
    await expect(diversity(["--input", bad, "--out", join(dir, "x.json")])).rejects.toThrow(/bad.jsonl:2: expected an object with a string field "text"/);
    expect(await main(["diversity", "--input", gen])).toBe(2);
  });
});

describe("steersynth score", () => {
  it("without judges writes diversity only (no success/coherence defaults)", async () => {
    const out = join(dir, "S0.json");
    expect(await score(["--input", gen, "--out", out, "--diversity-axis", "self-bleu"])).toBe(0);
    const s = JSON.parse(readFileSync(out, "utf8"));
    expect(s.set.success).toBeUndefined();
    expect(s.set.coherence).toBeUndefined();
    expect(s.set.hm3).toBeUndefined();
    expect(s.set.diversity).toBeCloseTo(1 - s.set.self_bleu, 15);
    expect(s.responses[0].success).toBeUndefined();
    expect(await main(["score", "--input", gen, "--out", out, "--judge", "classifier"])).toBe(2); // needs --concept
    expect(await main(["score", "--input", gen, "--out", out, "--judge", "vibes"])).toBe(2);
  });

  it("classifier success + perplexity coherence on a tiny checkpoint + engine embeddings → HM fields", async () => {
    const modelDir = join(dir, "model");
    expect(await makeRandom(["--arch", "llama", "--out", modelDir, "--layers", "2", "--hidden", "32", "--vocab", "300", "--seed", "4"])).toBe(0);
    // A concept's judge split in a throwaway repository root (STEERSYNTH_ROOT points data/ there).
    const root = join(dir, "root");
    mkdirSync(join(root, "data", "concepts", "rude"), { recursive: true });
    const rows = Array.from({ length: 40 }, (_, i) => ({ user: "q", response: i % 2 ? `you idiot ${i}, stupid` : `thanks ${i}, happy to help`, label: i % 2 }));
    writeFileSync(join(root, "data", "concepts", "rude", "judge_train.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
    // A valid concept file (lib/world/schema); only judge_train matters here, so every file entry names it.
    const files = Object.fromEntries(["pairs", "ab", "prompts", "detector_train", "detector_test", "judge_train", "baseline"].map((k) => [k, "judge_train.jsonl"]));
    writeFileSync(join(root, "data", "concepts", "rude.json"), JSON.stringify({
      name: "rude", axis: "harmless", definition: "Rude replies.", rubric: "Rate rudeness 0-10.", positive_label: "rude", negative_label: "polite", files,
    }));
    const saved = process.env.STEERSYNTH_ROOT;
    process.env.STEERSYNTH_ROOT = root;
    try {
      // The random checkpoint has no BOS, so every response needs its prompt to be scored after.
      const prompted = join(dir, "G-prompted.jsonl");
      writeFileSync(prompted, texts.map((text) => JSON.stringify({ text, prompt: "Tell me something." })).join("\n"));
      const out = join(dir, "S.json");
      await expect(score(["--input", gen, "--out", out, "--coherence", "perplexity", "--reference-model", modelDir, "--reference-ppl", "9"])).rejects.toThrow(/G.jsonl:1: no "prompt"/);
      expect(await score(["--input", prompted, "--out", out, "--judge", "classifier", "--concept", "rude", "--coherence", "perplexity",
        "--reference-model", modelDir, "--reference-ppl", "250", "--embedder", `engine:${modelDir}:1`, "--diversity-axis", "vendi-embedding"])).toBe(0);
      const s = JSON.parse(readFileSync(out, "utf8"));
      expect(s.judges).toMatchObject({ success: "classifier:rude", reference_perplexity: 250 });
      expect(s.responses[3].success).toBeGreaterThan(s.responses[4].success);
      expect(s.responses[2].coherence).toBe(0); // the empty response
      for (const r of s.responses) { expect(r.coherence).toBeGreaterThanOrEqual(0); expect(r.coherence).toBeLessThanOrEqual(1); }
      const m = (k: string) => s.responses.reduce((a: number, r: Record<string, number>) => a + r[k], 0) / texts.length;
      expect(s.set.success).toBeCloseTo(m("success"), 12);
      expect(s.set.coherence).toBeCloseTo(m("coherence"), 12);
      expect(s.set.diversity).toBeCloseTo((s.set.vendi_embedding - 1) / (texts.length - 1), 12);
      expect(s.set.hm3).toBeCloseTo(3 / (1 / s.set.success + 1 / s.set.coherence + 1 / s.set.diversity), 12);
      expect(s.set.hm2).toBeCloseTo(2 / (1 / s.set.success + 1 / s.set.coherence), 12);
      expect(typeof s.set.mean_pairwise_cosine_distance).toBe("number");
    } finally {
      if (saved === undefined) delete process.env.STEERSYNTH_ROOT; else process.env.STEERSYNTH_ROOT = saved;
    }
  });
});
