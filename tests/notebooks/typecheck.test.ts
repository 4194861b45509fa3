import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM helper of the notebook runners, without type declarations
import { withSolutions } from "../../scripts/kernel/exercises.mjs";

/**
 * Every notebook's code cells (with the exercise solutions in place), concatenated into one module and typechecked
 * with the project's tsconfig: tslab reports a type error only when the cell runs, minutes into a notebook.
 * (tslab-specific rules — e.g. object shorthand naming an earlier cell's variable — are caught by the browser test.)
 */
const ROOT = process.cwd();
const cacheDir = join(ROOT, ".cache");
mkdirSync(cacheDir, { recursive: true });
const dir = mkdtempSync(join(cacheDir, "notebook-typecheck-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("notebook code cells", () => {
  it("typecheck under the project's tsconfig", () => {
    const files = readdirSync(join(ROOT, "notebooks")).filter((f) => f.endsWith(".ipynb"));
    for (const f of files) {
      const { nb } = withSolutions(JSON.parse(readFileSync(join(ROOT, "notebooks", f), "utf8")), f);
      const code = (nb.cells as { cell_type: string; source: string[] | string }[])
        .filter((c) => c.cell_type === "code")
        .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
        .join("\n")
        // The kernel runs in the repository root; this file sits two folders below it.
        .replace(/from "\.\//g, 'from "../../');
      writeFileSync(join(dir, f.replace(/\.ipynb$/, ".ts")), `${code}\nexport {};\n`);
    }
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: "../../tsconfig.json", include: ["./*.ts"] }));
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", dir], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 180_000);
});
