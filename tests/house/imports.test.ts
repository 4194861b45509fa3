import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The house rule: imports only run downward. LAYERS is the one definition of the order (README, "How it fits
 * together", describes it): a folder of lib/ may import folders of lower layers only. Folders that share a
 * layer are siblings and import neither each other nor anything above. A folder is entered through its
 * index.ts (what it offers), never through its other files. Inside a folder, files must not import each other
 * in a loop. All three rules are checked on the import statements of every lib/ file.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["util"],                 // atomic files, fingerprints, paths, progress, seeds, the artefact-cache interface
  ["math"],                 // mean, sigmoid, log-softmax, linear algebra, logistic regression
  ["arch"],                 // ModelSpec, hook sites, TensorF32, RoPE, one table per architecture
  ["checkpoint"],           // safetensors, load/save, tokenizer + chat template, LoadedModel
  ["engine"],               // ONNX graph, capture + reading policies, exchange encoding, steering feeds, generation
  ["world"],                // the embedded concept world
  ["metrics", "steering"],  // what generations are worth | concept directions and how to apply them
  ["train"],                // tfjs twin of the architecture, training loop, default models
  ["detect"],               // data replacement, probe and fine-tune detectors, evaluation
  ["study"],                // config, grid, store, stages, runner, results
  ["plot"],                 // figures from results
  ["cli"],                  // one file per command
];

const LIB = join(__dirname, "..", "..", "lib");

function libFiles(dir = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? libFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
}

/** Relative specifiers of a file's import/export-from statements and dynamic imports. */
export function relativeImports(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/\b(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith(".")) specs.push(spec);
  }
  return specs;
}

const resolveTs = (from: string, spec: string): string => normalize(join(dirname(from), spec)).replace(/\.(ts|js)$/, "") + ".ts";
const folderOf = (file: string): string => relative(LIB, file).split(/[\\/]/)[0];
const rank = (folder: string): number => LAYERS.findIndex((layer) => layer.includes(folder));

/** Every lib/ file → the lib/ files it imports. */
function importGraph(): Map<string, string[]> {
  return new Map(libFiles().map((f) => [f, relativeImports(readFileSync(f, "utf8")).map((s) => resolveTs(f, s))]));
}

/** Each import loop once, as a list of files (Tarjan's strongly connected components of size > 1, or a self-import). */
function importLoops(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), loops: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) loops.push(scc.map((f) => relative(LIB, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return loops;
}

describe("the house: imports run one way", () => {
  const graph = importGraph();

  it("reads the imports it checks (the parser is not blind)", () => {
    expect(relativeImports(`import { a } from "../x/index";\nimport type { B } from './y';\nexport * from "./z";\nconst m = await import("../w/index");\nimport "./side";`))
      .toEqual(["../x/index", "./y", "./z", "../w/index", "./side"]);
    expect(relativeImports(`import * as ort from "onnxruntime-node";`)).toEqual([]);
    expect([...graph.values()].flat().length).toBeGreaterThan(300);
  });

  it("every lib/ folder has a layer", () => {
    const folders = [...new Set([...graph.keys()].map(folderOf))].filter((f) => !f.endsWith(".ts"));
    expect(folders.filter((f) => rank(f) < 0)).toEqual([]);
  });

  it("no folder imports a folder of its own or a higher layer", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph)
      for (const t of targets) {
        const a = folderOf(file), b = folderOf(t);
        if (a !== b && rank(b) >= rank(a)) upward.push(`${relative(LIB, file)} → ${relative(LIB, t)}`);
      }
    expect(upward).toEqual([]);
  });

  it("other folders import a folder through its index.ts only", () => {
    const bypass: string[] = [];
    for (const [file, targets] of graph)
      for (const t of targets)
        if (folderOf(file) !== folderOf(t) && relative(LIB, t) !== join(folderOf(t), "index.ts")) bypass.push(`${relative(LIB, file)} → ${relative(LIB, t)}`);
    expect(bypass).toEqual([]);
  });

  it("the check finds an upward import and a loop when there is one", () => {
    const fake = new Map([[join(LIB, "arch", "a.ts"), [join(LIB, "arch", "b.ts")]], [join(LIB, "arch", "b.ts"), [join(LIB, "arch", "a.ts")]]]);
    expect(importLoops(fake)).toEqual([["arch/a.ts", "arch/b.ts"]]);
    expect(rank("engine")).toBeGreaterThan(rank("checkpoint"));
    expect(rank("metrics")).toBe(rank("steering"));
  });

  it("no import loops between files", () => {
    expect(importLoops(graph)).toEqual([]);
  });
});
