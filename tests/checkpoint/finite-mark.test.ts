import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { saveModel } from "../../lib/checkpoint/save";
import { memoryModel, SPECS } from "../engine/fixtures";

/**
 * A checkpoint file found finite is not read again at the next load (lib/checkpoint/file-identity finiteMark), until
 * it is rewritten. Counted on firstNonFinite, the load-time check of one stored tensor. The marks go to a temporary
 * root (STEERSYNTH_ROOT), not the repository's .cache.
 */
const checks = vi.hoisted(() => ({ n: 0 }));
vi.mock("../../lib/checkpoint/safetensors", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../lib/checkpoint/safetensors")>();
  return { ...real, firstNonFinite: (...a: Parameters<typeof real.firstNonFinite>) => { checks.n++; return real.firstNonFinite(...a); } };
});

const root = mkdtempSync(join(tmpdir(), "finite-mark-"));
const before = process.env.STEERSYNTH_ROOT;
beforeAll(() => { process.env.STEERSYNTH_ROOT = root; });
afterAll(() => {
  if (before === undefined) delete process.env.STEERSYNTH_ROOT;
  else process.env.STEERSYNTH_ROOT = before;
  rmSync(root, { recursive: true, force: true });
});

describe("finite marks", () => {
  const m = memoryModel(SPECS.llama, 2);
  const ckpt = join(root, "ckpt");

  it("checks each stored tensor once; a later load of the unchanged file checks none; a rewritten file is checked again", async () => {
    saveModel(ckpt, { spec: m.spec, weights: m.weights }, { dtype: "F32" });
    checks.n = 0;
    await loadModel(ckpt);
    expect(checks.n).toBe(m.weights.size); // llama stores each canonical tensor as one tensor
    expect(readdirSync(join(root, ".cache", "finite"))).toHaveLength(1);
    checks.n = 0;
    const again = await loadModel(ckpt);
    expect(checks.n).toBe(0);
    expect([...again.weights.values()].every((t) => t.data.every(Number.isFinite))).toBe(true);

    const bad = new Map(m.weights);
    const norm = bad.get("final_norm.weight")!;
    bad.set("final_norm.weight", { shape: norm.shape, data: norm.data.map((x, i) => (i === 3 ? NaN : x)) });
    saveModel(ckpt, { spec: m.spec, weights: bad }, { dtype: "F32", force: true });
    checks.n = 0;
    await expect(loadModel(ckpt)).rejects.toThrow("tensor 'model.norm.weight' holds a non-finite value (NaN at flat index 3)");
    expect(checks.n).toBeGreaterThan(0);
    expect(readdirSync(join(root, ".cache", "finite"))).toHaveLength(1); // a failed file is not marked
  });

  it("keeps at most 1,000 marks, dropping the oldest", async () => {
    const dir = join(root, ".cache", "finite");
    mkdirSync(dir, { recursive: true });
    const old = new Date(Date.now() - 3600e3);
    for (let i = 0; i < 1000; i++) {
      writeFileSync(join(dir, `old${i}`), "");
      utimesSync(join(dir, `old${i}`), old, old);
    }
    saveModel(ckpt, { spec: m.spec, weights: m.weights }, { dtype: "F32", force: true });
    await loadModel(ckpt);
    const marks = readdirSync(dir);
    expect(marks).toHaveLength(1000);
    const newest = marks.filter((f) => !f.startsWith("old"));
    expect(newest.length).toBeGreaterThanOrEqual(1);
    expect(statSync(join(dir, newest[0])).mtimeMs).toBeGreaterThan(old.getTime());
  });
});
