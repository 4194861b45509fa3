import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../lib/util/paths";

/** scripts/build-models.ts refuses bad experiment options before it builds anything (exit 2, the option named). */
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/build-models.ts", ...args], { cwd: repoRoot(), encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" } });

describe("build-models --dims", () => {
  it.each([
    [["--dims", "hidden=256"], "--dims needs --only"],
    [["--only", "qwen2-tiny", "--dims", "widht=3"], "--dims: unknown key 'widht' (known: hidden, nLayers, nHeads, nKvHeads, intermediate)"],
    [["--only", "qwen2-tiny", "--dims", "hidden=2.5"], "--dims: hidden must be a positive integer (got \"2.5\")"],
  ])("%j is a usage error", (args, message) => {
    const r = run(...args);
    expect(r.stderr).toContain(message);
    expect(r.status).toBe(2);
  }, 30_000);
});
