import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, progress } from "../util/index";
import { assertFigure, type Figure } from "./figure";
import { figureHtml, type HtmlPlotly } from "./html";
import { plotlyBundlePath, withRenderer, type FigureRenderer } from "./render";

export type ExportFormat = "html" | "png" | "svg";
export interface NamedFigure { name: string; fig: Figure }
export interface ExportOptions {
  formats?: ExportFormat[];
  /** HTML flavour (see figureHtml); "sibling" also writes outDir/plotly.min.js once. Default "inline". */
  html?: HtmlPlotly;
  /** PNG pixel ratio (default 2: crisp in papers and on high-density screens). */
  scale?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Write each figure to outDir as <name>.<format>, atomically. PNG and SVG come from one headless chromium shared
 * by all figures (launched only when one of them is asked for). Returns the paths written, in order.
 */
export async function exportFigures(figs: readonly NamedFigure[], outDir: string, opts: ExportOptions = {}): Promise<string[]> {
  const formats = opts.formats ?? ["html", "png", "svg"];
  for (const f of formats) if (f !== "html" && f !== "png" && f !== "svg") throw new Error(`exportFigures: format '${f}' is not one of html, png, svg`);
  const names = new Set<string>();
  figs.forEach(({ name, fig }, i) => {
    if (!NAME.test(name)) throw new Error(`exportFigures: figs[${i}].name '${name}' must be a plain file name (letters, digits, . _ -)`);
    if (names.has(name)) throw new Error(`exportFigures: figs[${i}].name '${name}' is used twice`);
    names.add(name);
    assertFigure(fig, `exportFigures: figs[${i}] (${name})`);
  });
  const written: string[] = [];
  const write = (path: string, data: string | Uint8Array) => { writeFileAtomic(path, data); written.push(path); };
  const html = opts.html ?? "inline";
  if (formats.includes("html") && html === "sibling") write(join(outDir, "plotly.min.js"), readFileSync(plotlyBundlePath()));

  const bar = progress("export figures", figs.length);
  const exportAll = async (renderer: FigureRenderer | null) => {
    for (const { name, fig } of figs) {
      bar.label(name);
      for (const format of formats) {
        const path = join(outDir, `${name}.${format}`);
        if (format === "html") write(path, figureHtml(fig, { plotly: html, title: name }));
        else if (format === "png") write(path, await renderer!.render(fig, { format, scale: opts.scale ?? 2 }));
        else write(path, await renderer!.render(fig, { format }));
      }
      bar.tick();
    }
  };
  try {
    if (formats.some((f) => f !== "html")) await withRenderer(exportAll);
    else await exportAll(null);
  } finally {
    bar.done();
  }
  return written;
}
