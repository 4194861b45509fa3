import { createRequire } from "node:module";
import { join } from "node:path";
import { repoRoot } from "../util/index";
import { assertFigure, describeFigure, figureSize, type Figure } from "./figure";
import { chromiumAvailable, chromiumPath, FigureRenderer } from "./render";
import { tableHtml, tableText, type Row, type TableOptions } from "./table";

/**
 * Rich display in tslab notebooks. A figure goes out as ONE display_data message carrying three representations:
 *   application/vnd.plotly.v1+json  live, interactive in JupyterLab (plotly's labextension, installed by setup)
 *   image/png                       static fallback: nbconvert HTML, classic notebook, GitHub (needs chromium)
 *   text/plain                      a one-line description, for terminals and diffs
 * tslab's public `display.raw` sends one mime type per message, so the bundle goes through the writer that tslab
 * keeps for the cell being executed (`lastWriteDisplayData` in tslab/dist/jupyter.js, the same one display.raw uses).
 */

export type MimeBundle = Record<string, unknown>;
export interface DisplayData { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }
type DisplayWriter = (msg: DisplayData, update: boolean) => void;

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/**
 * The current cell's display writer, or null outside a tslab kernel. Looked up in the module cache (never loaded
 * here): outside a kernel, loading tslab would pull in zeromq for nothing.
 */
function kernelWriter(): DisplayWriter | null {
  const req = createRequire(join(repoRoot(), "package.json"));
  let path: string;
  try {
    path = req.resolve("tslab/dist/jupyter");
  } catch {
    return null;
  }
  const writer = (req.cache[path]?.exports as { lastWriteDisplayData?: DisplayWriter | null } | undefined)?.lastWriteDisplayData;
  return typeof writer === "function" ? writer : null;
}

/** The writer of the cell being executed, taken when show() is called (a late PNG still lands in its own cell). */
function requireWriter(): DisplayWriter {
  const writer = kernelWriter();
  if (!writer) throw new Error("lib/plot: show()/showTable() display in a tslab notebook kernel only; outside notebooks use exportFigures()");
  return writer;
}

// A kernel renders many figures: keep one browser and close it after a quiet minute (the timer never keeps the
// process alive). Absent chromium is reported once per process.
const IDLE_CLOSE_MS = 60_000;
let shared: Promise<FigureRenderer> | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let warnedNoChromium = false;

async function sharedRenderer(): Promise<FigureRenderer> {
  if (idleTimer) clearTimeout(idleTimer);
  shared ??= FigureRenderer.launch().catch((err) => { shared = null; throw err; });
  const renderer = await shared;
  idleTimer = setTimeout(() => {
    shared = null;
    void renderer.close();
  }, IDLE_CLOSE_MS);
  idleTimer.unref();
  return renderer;
}

export interface ShowOptions {
  /** Include the static PNG: true requires it, false omits it; default: when chromium is available. */
  png?: boolean;
  /** PNG pixel ratio; the display size stays the layout's (default 2). */
  scale?: number;
}

/** The mime bundle and metadata of a figure's display (what show() sends). */
export async function figureBundle(fig: Figure, opts: ShowOptions = {}): Promise<{ data: MimeBundle; metadata: Record<string, unknown> }> {
  assertFigure(fig);
  const data: MimeBundle = {
    [PLOTLY_MIME]: { data: fig.data, layout: fig.layout },
    "text/plain": describeFigure(fig),
  };
  const metadata: Record<string, unknown> = {};
  if (opts.png === true && !chromiumAvailable()) throw new Error(`figureBundle(fig, {png: true}): chromium not found at ${chromiumPath()}`);
  if (opts.png !== false && chromiumAvailable()) {
    const png = await (await sharedRenderer()).render(fig, { format: "png", scale: opts.scale ?? 2 });
    data["image/png"] = Buffer.from(png).toString("base64");
    metadata["image/png"] = figureSize(fig);
  } else if (opts.png === undefined && !warnedNoChromium) {
    warnedNoChromium = true;
    process.stderr.write(`lib/plot: ${chromiumPath()} not found, so figures are shown without a static PNG (interactive in JupyterLab only); npm run setup installs chromium\n`);
  }
  return { data, metadata };
}

/** Display a figure in the notebook (await it: the PNG is rendered first). */
export async function show(fig: Figure, opts: ShowOptions = {}): Promise<void> {
  const writer = requireWriter();
  const { data, metadata } = await figureBundle(fig, opts);
  writer({ data, metadata, transient: {} }, false);
}

/** Display rows as a table: text/html plus text/plain. */
export function showTable(rows: readonly Row[], opts: TableOptions = {}): void {
  requireWriter()({ data: { "text/html": tableHtml(rows, opts), "text/plain": tableText(rows, opts) }, metadata: {}, transient: {} }, false);
}

/** Close the notebook's shared browser now (otherwise it closes itself after a minute without figures). */
export async function closeRenderer(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  const r = shared;
  shared = null;
  if (r) await (await r).close();
}
