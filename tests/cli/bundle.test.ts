import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listCommands, main } from "../../lib/cli/main";
import { SUMMARIES } from "../../lib/cli/summaries";
import { METHOD_NAMES } from "../../lib/steering/index";
import { repoRoot } from "../../lib/util/paths";

/**
 * The CLI's start-up path: the command table and the help list without loading commands, and the esbuild bundle
 * (scripts/cli-bundle.mjs) that bin/steersynth.mjs runs when, and only when, it was built from the current sources.
 * The bundle is built in a scratch copy of the repository (lib/, bin/, scripts/ copied; node_modules linked) so the
 * test can edit sources without touching the checkout, and runs through the real bin/steersynth.mjs there.
 */
const ROOT = repoRoot();
const scratch = mkdtempSync(join(tmpdir(), "cli-bundle-"));
const node = (args: string[], cwd = scratch) =>
  spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, STEERSYNTH_ROOT: "", STEERSYNTH_PROGRESS: "off" } });
const bin = (...args: string[]) => node([join(scratch, "bin", "steersynth.mjs"), ...args]);
const build = () => node(["-e", `import("./scripts/cli-bundle.mjs").then((m) => m.buildCli(process.cwd())).then((r) => console.log(JSON.stringify(r)))`]);
/** Which npm packages a run of `main(argv)` from the bundle loaded (ESM-imported CommonJS packages land in the CJS cache). */
const packagesLoaded = (argv: string[]) => {
  const code = `const { main } = await import(${JSON.stringify(join(scratch, "dist", "cli", "main.mjs"))});
    const code = await main(${JSON.stringify(argv)});
    const { createRequire } = await import("node:module");
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ code, ort: cache.some((k) => k.includes("onnxruntime-node")), tfjs: cache.some((k) => k.includes("@tensorflow")) }));`;
  const r = node(["--input-type=module", "-e", code]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { code: number; ort: boolean; tfjs: boolean };
};

beforeAll(() => {
  for (const d of ["lib", "bin", "scripts"]) cpSync(join(ROOT, d), join(scratch, d), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(scratch, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(scratch, "node_modules"));
  const r = build();
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("cli: command table", () => {
  it("lists exactly the files in lib/cli/commands, each with a summary", () => {
    const files = readdirSync(join(ROOT, "lib", "cli", "commands")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
    expect(listCommands()).toEqual(files);
    expect(Object.keys(SUMMARIES).sort()).toEqual(files);
  });
  it("extract's summary names the current extraction methods", () => {
    expect(SUMMARIES.extract).toContain(`(${METHOD_NAMES.join(", ")})`);
  });
  it("every command loads and answers --help with its summary", async () => {
    const logs: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => { logs.push(a.join(" ")); };
    try {
      for (const cmd of listCommands()) {
        logs.length = 0;
        expect(await main([cmd, "--help"])).toBe(0);
        expect(logs.join("\n")).toContain(SUMMARIES[cmd]);
      }
    } finally { console.log = log; }
  });
});

describe("cli: the bundle", () => {
  it("a fresh bundle runs without tsx and prints what the sources print", () => {
    const r = bin("--help");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const src = node(["--import", "tsx", "-e", `import("./lib/cli/main.ts").then((m) => m.main(["--help"]))`]);
    expect(src.status, src.stderr).toBe(0);
    expect(r.stdout).toBe(src.stdout);
  });

  it("--help and inspect load neither onnxruntime nor tfjs; hidden loads onnxruntime (the check sees it)", () => {
    expect(packagesLoaded(["--help"])).toEqual({ code: 0, ort: false, tfjs: false });
    expect(packagesLoaded(["inspect", "--model", join(ROOT, "data", "models", "llama-tiny")])).toEqual({ code: 0, ort: false, tfjs: false });
    // hidden fails on the missing --ids file, after its module (and onnxruntime) loaded
    expect(packagesLoaded(["hidden", "--model", "x", "--ids", join(scratch, "none.json"), "--out", join(scratch, "h.safetensors")])).toMatchObject({ code: 2, ort: true });
  });

  it("an edited source makes the bundle stale: bin names the file and runs the new code through tsx", () => {
    const file = join(scratch, "lib", "cli", "summaries.ts");
    const before = readFileSync(file, "utf8");
    writeFileSync(file, before.replace("describe a checkpoint folder", "DESCRIBE A CHECKPOINT FOLDER"));
    try {
      const r = bin("--help");
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/lib\/cli\/summaries\.ts changed since .*dist\/cli was built; running the TypeScript sources through tsx/);
      expect(r.stdout).toContain("DESCRIBE A CHECKPOINT FOLDER");
      // rebuilt, it is fresh again and runs the new text from the bundle
      expect(build().status).toBe(0);
      const again = bin("--help");
      expect(again.stderr).toBe("");
      expect(again.stdout).toContain("DESCRIBE A CHECKPOINT FOLDER");
    } finally { writeFileSync(file, before); }
  });

  it("a missing source or an unbuilt bundle falls back too", () => {
    rmSync(join(scratch, "lib", "cli", "commands", "merge.ts"));
    const r = bin("--help");
    expect(r.stderr).toMatch(/lib\/cli\/commands\/merge\.ts changed since/);
    rmSync(join(scratch, "dist"), { recursive: true, force: true });
    const none = bin("inspect", "--help");
    expect(none.stderr).toMatch(/dist\/cli is not built; running the TypeScript sources through tsx/);
    expect(none.status).toBe(0);
  });
});
