import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARCH_NAMES } from "../../lib/arch/index";
import { expectedShapes, type ArchName } from "../../lib/arch/spec";
import { loadModel, randomWeights, saveModel, smallSpec } from "../../lib/checkpoint/index";
import type { LoadedModel } from "../../lib/checkpoint/types";
import { setProgressMode } from "../../lib/util/progress";
import { fuzzParams, jsonValue, mutatedObject, outcomeAsync } from "./harness";

/**
 * Checkpoint loading with a corrupted config.json, generation_config.json or shard index: a model whose spec is
 * sane (positive sizes, finite positive epsilons and RoPE base) and whose weights are finite, or a clear error.
 */
const dir = mkdtempSync(join(tmpdir(), "fuzz-config-"));
const pristine = (arch: ArchName) => join(dir, `pristine-${arch}`);
const work = join(dir, "work");
beforeAll(() => {
  setProgressMode("off");
  for (const arch of ARCH_NAMES) {
    const spec = smallSpec(arch, { hidden: 16, nHeads: 2, nLayers: 2, vocabSize: 32, maxPositions: 16 });
    saveModel(pristine(arch), { spec, weights: randomWeights(spec, 1) }, { dtype: "F32", maxShardBytes: 4000 });
  }
});
afterAll(() => { setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

function checkSpec(m: LoadedModel): void {
  const s = m.spec;
  for (const n of [s.hidden, s.nLayers, s.nHeads, s.nKvHeads, s.headDim, s.vocabSize, s.intermediate, s.maxPositions])
    expect(Number.isInteger(n) && n > 0).toBe(true);
  expect(s.norm.eps > 0 && Number.isFinite(s.norm.eps)).toBe(true);
  if (s.positions.kind === "rope") expect(s.positions.theta > 0 && Number.isFinite(s.positions.theta)).toBe(true);
  expect(m.weights.size).toBe(expectedShapes(s).size);
  for (const [, t] of m.weights) expect(t.data.every(Number.isFinite)).toBe(true);
}

async function loadWith(arch: ArchName, name: string, text: string): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  cpSync(pristine(arch), work, { recursive: true });
  writeFileSync(join(work, name), text);
  const r = await outcomeAsync(() => loadModel(work), join(work, name));
  if (r.ok) checkSpec(r.value);
}

const json = (arch: ArchName, name: string) => JSON.parse(readFileSync(join(pristine(arch), name), "utf8")) as Record<string, unknown>;

describe("fuzz: checkpoint config files", () => {
  it.each(ARCH_NAMES)("%s config.json: a field replaced, deleted or given an edge value", async (arch) => {
    // A cheap structural error in config.json may be reported against the shard index or a tensor (the shapes
    // it implies do not match): any message naming a file of the checkpoint is clear, so the folder is checked.
    await fc.assert(fc.asyncProperty(mutatedObject(json(arch, "config.json")), async (cfg) => {
      rmSync(work, { recursive: true, force: true });
      cpSync(pristine(arch), work, { recursive: true });
      writeFileSync(join(work, "config.json"), JSON.stringify(cfg));
      const r = await outcomeAsync(() => loadModel(work), work);
      if (r.ok) checkSpec(r.value);
    }), fuzzParams(80));
  });

  it("generation_config.json and the shard index: fields replaced, text cut, any JSON", async () => {
    const files = ["generation_config.json", "model.safetensors.index.json"] as const;
    const text = (name: string) => fc.oneof(
      mutatedObject(json("llama", name)).map((o) => JSON.stringify(o)),
      fc.nat(200).map((n) => JSON.stringify(json("llama", name)).slice(0, n)),
      jsonValue().map((v) => JSON.stringify(v)),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...files).chain((f) => fc.tuple(fc.constant(f), text(f))), async ([name, t]) => {
      await loadWith("llama", name, t);
    }), fuzzParams(150));
  });
});
