import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The repository root. Modules never use `import.meta` (tslab compiles notebooks to CommonJS), so the root is
 * found from STEERSYNTH_ROOT (set by bin/steersynth.mjs) or by walking up from the working directory to the
 * package.json named "steersynth".
 */
export function repoRoot(): string {
  const fromEnv = process.env.STEERSYNTH_ROOT;
  if (fromEnv) return resolve(fromEnv);
  let dir = process.cwd();
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "steersynth") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the steersynth repository above ${process.cwd()}; set STEERSYNTH_ROOT`);
    dir = up;
  }
}

/** A path inside the repository's data/ folder. */
export const dataPath = (...parts: string[]): string => join(repoRoot(), "data", ...parts);
