import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ArtefactStore } from "../../lib/study/store";

const dir = mkdtempSync(join(tmpdir(), "steersynth-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("artefact store", () => {
  it("computes once per content key, reuses after, and counts both", async () => {
    const store = new ArtefactStore(join(dir, "a"));
    let calls = 0;
    const compute = () => { calls++; return { x: 1.5, list: [1, 2] }; };
    expect(await store.json("stage", { k: 1, nested: { b: 2, a: 1 } }, compute)).toEqual({ x: 1.5, list: [1, 2] });
    // Key order inside objects does not matter (canonical fingerprint); a changed input is a new artefact.
    expect(await store.json("stage", { nested: { a: 1, b: 2 }, k: 1 }, compute)).toEqual({ x: 1.5, list: [1, 2] });
    expect(calls).toBe(1);
    await store.json("stage", { k: 2, nested: { b: 2, a: 1 } }, compute);
    expect(calls).toBe(2);
    expect(store.counts).toEqual({ computed: { stage: 2 }, reused: { stage: 1 } });
    // A fresh store over the same folder (a rerun) reuses the files.
    const again = new ArtefactStore(join(dir, "a"));
    expect(await again.json("stage", { k: 1, nested: { a: 1, b: 2 } }, compute)).toEqual({ x: 1.5, list: [1, 2] });
    expect(calls).toBe(2);
    expect(again.get("stage", { k: 2, nested: { a: 1, b: 2 } })).toEqual({ x: 1.5, list: [1, 2] });
    expect(() => again.get("stage", { k: 3 })).toThrow(/artefact 'stage' is missing/);
  });

  it("returns what a later run reads back (JSON round trip), so fresh and resumed runs agree", async () => {
    const store = new ArtefactStore(join(dir, "rt"));
    const fresh = await store.json("s", 1, () => ({ a: NaN, b: undefined, c: 0.1 + 0.2 }));
    const resumed = await new ArtefactStore(join(dir, "rt")).json("s", 1, () => ({ a: 0, b: 0, c: 0 }));
    expect(fresh).toEqual(resumed);
    expect(resumed).toEqual({ a: null, c: 0.30000000000000004 });
  });

  it("leaves no file behind when a computation fails, and recomputes next time", async () => {
    const store = new ArtefactStore(join(dir, "b"));
    await expect(store.json("s", 1, () => { throw new Error("boom"); })).rejects.toThrow("boom");
    await expect(store.file("f", 1, "bin", async (tmp) => { writeFileSync(tmp, "half"); throw new Error("disk"); })).rejects.toThrow("disk");
    for (const stage of readdirSync(join(dir, "b"))) expect(readdirSync(join(dir, "b", stage))).toEqual([]);
    expect(store.has("s", 1)).toBe(false);
    expect(await store.json("s", 1, () => 7)).toBe(7);
    const file = await store.file("f", 1, "bin", async (tmp) => writeFileSync(tmp, "whole"));
    expect(file.endsWith(".bin")).toBe(true);
    expect(readdirSync(join(dir, "b", "f"))).toEqual([file.split("/").pop()]);
  });

  it("gives binary writers a temp path with the artefact's extension", async () => {
    const store = new ArtefactStore(join(dir, "ext"));
    let seen = "";
    await store.file("v", { a: 1 }, "safetensors", async (tmp) => { seen = tmp; writeFileSync(tmp, "x"); });
    expect(seen).toMatch(/\.partial-\d+\.safetensors$/);
  });

  it("keeps a binary writer's companion files (a vector's .json provenance) beside the artefact, or none on failure", async () => {
    const store = new ArtefactStore(join(dir, "comp"));
    const file = await store.file("vector", { a: 1 }, "safetensors", async (tmp) => {
      writeFileSync(tmp, "tensors");
      writeFileSync(tmp.replace(/\.safetensors$/, ".json"), "{}");
    });
    expect(readdirSync(join(dir, "comp", "vector")).sort()).toEqual([file.split("/").pop()!.replace(/\.safetensors$/, ".json"), file.split("/").pop()].sort());
    await expect(store.file("vector", { a: 2 }, "safetensors", async (tmp) => {
      writeFileSync(tmp.replace(/\.safetensors$/, ".json"), "{}");
      throw new Error("disk");
    })).rejects.toThrow("disk");
    expect(readdirSync(join(dir, "comp", "vector"))).toHaveLength(2);
  });

  it("sweeps leftovers of killed writers once they are old enough, never artefacts or fresh temp files", () => {
    const root = join(dir, "c");
    const store = new ArtefactStore(root);
    const stage = join(root, "row");
    rmSync(stage, { recursive: true, force: true });
    const files = ["abc.json", "abc.json.tmp-123-0", "def.partial-99.safetensors", "ghi.json.tmp-7-3"];
    mkdirSync(stage, { recursive: true });
    for (const f of files) writeFileSync(join(stage, f), "x");
    const old = new Date(Date.now() - 60 * 60 * 1000);
    for (const f of files.slice(0, 3)) utimesSync(join(stage, f), old, old);
    // Default: only temp files untouched for 15 minutes (a concurrent shard may be writing a young one).
    expect(store.sweep()).toBe(2);
    expect(readdirSync(stage).sort()).toEqual(["abc.json", "ghi.json.tmp-7-3"]);
    expect(store.sweep(0)).toBe(1);
    expect(readdirSync(stage)).toEqual(["abc.json"]);
    expect(existsSync(join(stage, "abc.json"))).toBe(true);
  });
});
