import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { listCommands, main } from "../../lib/cli/main";
import { setProgressMode } from "../../lib/util/progress";
import { fuzzParams } from "./harness";

/**
 * Every CLI command on random arguments: its own options (read from --help), unknown and inherited names,
 * `--name=value`, stray values, and values that are edge numbers or paths to a tiny model, valid inputs,
 * garbage, empty files, folders and unwritable places. The command must exit 0, or exit ≠ 0 with a message
 * that names the command — never an unexpected exception class (STEERSYNTH_DEBUG prints the error's stack,
 * which must not start with TypeError / RangeError / SyntaxError), and never leave temp files behind.
 * Commands that would start long work by default are pinned to inputs that stop them early (study: a garbage
 * config; train: a garbage concept; build-data: an unknown concept), so this tests argument handling, not the study.
 */
const dir = mkdtempSync(join(tmpdir(), "fuzz-cli-"));
const model = join(dir, "model");
const f = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
let VALUES: string[] = [];
const options = new Map<string, string[]>();

async function quiet<T>(fn: () => Promise<T>): Promise<{ value: T; err: string; out: string }> {
  const err: string[] = [], out: string[] = [];
  const e = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => { err.push(a.join(" ")); });
  const o = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { out.push(a.join(" ")); });
  try {
    return { value: await fn(), err: err.join("\n"), out: out.join("\n") };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

beforeAll(async () => {
  setProgressMode("off");
  process.env.STEERSYNTH_DEBUG = "1";
  const r = await quiet(() => main(["make-random", "--arch", "llama", "--out", model, "--layers", "2", "--hidden", "16", "--heads", "2", "--vocab", "300", "--max-positions", "32"]));
  expect(r.value, r.err).toBe(0);
  mkdirSync(join(dir, "folder"));
  VALUES = [
    "", "0", "1", "2", "-1", "1.5", "1e300", "NaN", "inf", "abc", "all", "0,1", "1,1", "caa", "pca", "last", "real", "probe", "F16", "llama",
    model, join(dir, "missing"), join(dir, "folder"), "/proc/steersynth-fuzz/x",
    f("garbage.json", "{ not json"), f("empty.jsonl", ""),
    f("ids.json", JSON.stringify([[5, 6, 7]])),
    f("prompts.jsonl", JSON.stringify({ prompt: "hello" }) + "\n"),
    f("gens.jsonl", [JSON.stringify({ text: "one reply" }), JSON.stringify({ text: "another reply" })].join("\n")),
    f("pairs.jsonl", [JSON.stringify({ positive_ids: [5, 6], negative_ids: [5, 7] }), JSON.stringify({ positive_ids: [8, 6], negative_ids: [8, 9] })].join("\n")),
    join(dir, "out", "o.json"), join(dir, "out", "v.safetensors"), join(dir, "out", "g.jsonl"),
  ];
  for (const cmd of listCommands()) {
    const help = await quiet(() => main([cmd, "--help"]));
    options.set(cmd, [...help.out.matchAll(/^ {2}--([\w-]+)/gm)].map((m) => m[1]));
  }
}, 120_000);
afterAll(() => { delete process.env.STEERSYNTH_DEBUG; setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

/** Arguments appended last (they win) so that a command cannot start long work or write outside the sandbox. */
const PINNED: Record<string, string[]> = {
  study: ["--config", join(dir, "garbage.json"), "--out", join(dir, "out")],
  train: ["--concept", join(dir, "garbage.json"), "--cache", join(dir, "cache")],
  "build-data": ["--concept", "not-a-concept", "--out", join(dir, "out")],
  figures: ["--results", join(dir, "folder"), "--out", join(dir, "out")],
  "make-random": ["--out", join(dir, "out", "random")],
  score: ["--cache", join(dir, "cache")],
};

/**
 * PINNED, or else the base invocation's --out (or one in the sandbox) for every command that writes with --out:
 * a fuzzed `--out 1e300` once wrote a file named 1e300 into the working directory.
 */
function pinned(cmd: string): string[] {
  const fixed = PINNED[cmd] ?? [];
  // A command pinned for other reasons still gets its --out pinned (score's fuzzed `--out real` once wrote ./real).
  if (fixed.includes("--out") || !(options.get(cmd) ?? []).includes("out")) return fixed;
  const base = BASE()[cmd] ?? [];
  const i = base.indexOf("--out");
  return [...fixed, "--out", i >= 0 ? base[i + 1] : join(dir, "out", cmd)];
}

/** A valid invocation each fuzzed argv starts from (random tokens then override or add to it). */
const BASE = (): Record<string, string[]> => ({
  diversity: ["--input", join(dir, "gens.jsonl"), "--out", join(dir, "out", "d.json")],
  extract: ["--model", model, "--pairs", join(dir, "pairs.jsonl"), "--method", "caa", "--layers", "1", "--out", join(dir, "out", "v.safetensors")],
  generate: ["--model", model, "--ids", join(dir, "ids.json"), "--max-new-tokens", "2", "--out", join(dir, "out", "g.jsonl")],
  hidden: ["--model", model, "--ids", join(dir, "ids.json"), "--out", join(dir, "out", "h.safetensors")],
  inspect: ["--model", model],
  "make-random": ["--arch", "llama", "--vocab", "300", "--hidden", "16", "--heads", "2"],
  score: ["--input", join(dir, "gens.jsonl"), "--out", join(dir, "out", "s.json")],
});

const argvFor = (cmd: string): fc.Arbitrary<string[]> => {
  const names = [...(options.get(cmd) ?? []), "toString", "__proto__", "nope", "help"];
  const value = fc.constantFrom(...VALUES);
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...names), value).map(([n, v]) => [`--${n}`, v]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names), value).map(([n, v]) => [`--${n}=${v}`]) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => [`--${n}`]) },
    { weight: 1, arbitrary: value.map((v) => [v]) },
  );
  return fc.tuple(fc.boolean(), fc.array(token, { maxLength: 5 })).map(([fromBase, ts]) => [...(fromBase ? BASE()[cmd] ?? [] : []), ...ts.flat(), ...pinned(cmd)]);
};

describe("fuzz: CLI arguments", () => {
  it.each(listCommands())("%s", async (cmd) => {
    let succeeded = 0;
    await fc.assert(fc.asyncProperty(argvFor(cmd), async (argv) => {
      const r = await quiet(() => main([cmd, ...argv]));
      expect(Number.isInteger(r.value)).toBe(true);
      if (r.value === 0) succeeded++;
      if (r.value !== 0) {
        expect(r.err, `exit ${r.value} without a message`).not.toBe("");
        expect(r.err).toContain(cmd);
      }
      expect(r.err).not.toMatch(/^(TypeError|RangeError|SyntaxError|ReferenceError)\b/m);
      const out = join(dir, "out");
      if (existsSync(out)) expect((readdirSync(out, { recursive: true }) as string[]).filter((x) => x.includes(".tmp-"))).toEqual([]);
    }), fuzzParams(60));
    // The valid starting points must keep some runs on the success path (else only parsing is fuzzed).
    if (BASE()[cmd]) expect(succeeded, `${cmd}: no fuzzed run succeeded`).toBeGreaterThan(0);
  });
});
