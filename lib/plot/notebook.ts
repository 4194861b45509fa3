import { createRequire } from "node:module";
import { join } from "node:path";
import { repoRoot } from "../util/index";
import { assertFigure, describeFigure, figureSize, MAX_FIGURE_WIDTH, type Figure } from "./figure";
import { chromiumAvailable, chromiumPath, FigureRenderer } from "./render";
import { tableHtml, tableText, type Row, type TableOptions } from "./table";
import { tokenHeatHtml, tokenHeatText, type TokenHeatOptions } from "./tokens";

/**
 * Rich display in tslab notebooks. A figure goes out as one display (one display_id) in two messages:
 *   1. display_data         application/vnd.plotly.v1+json + text/plain: JupyterLab's plotly renderer builds the
 *                           live chart at once (it shows a PNG instead, until the pointer enters, whenever the
 *                           bundle already holds one: jupyterlab-plotly's RenderedPlotly.renderModel);
 *   2. update_display_data  the same plus image/png at 1× with its size in the metadata: the static fallback for
 *                           nbconvert HTML, classic notebook and GitHub. A live chart ignores the update
 *                           (renderModel returns early once the graph exists), so JupyterLab stays live.
 * Widths are capped to MAX_FIGURE_WIDTH (the output area of a default JupyterLab window); facet grids wrap
 * (lib/plot/facets.ts) before they reach that cap. tslab's public `display.raw` sends one mime type per message, so
 * the bundle goes through the writer that tslab keeps for the cell being executed (`lastWriteDisplayData` in
 * tslab/dist/jupyter.js, the same one display.raw uses); its second argument makes an update_display_data.
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
  /** PNG pixel ratio (default 1, so the image's pixels are its display size wherever the metadata is ignored). */
  scale?: number;
}

/** The figure as shown: no wider than MAX_FIGURE_WIDTH (plotly lays the domains out again at the new width). */
export function fitFigure(fig: Figure): Figure {
  const { width } = figureSize(fig);
  return width <= MAX_FIGURE_WIDTH ? fig : { data: fig.data, layout: { ...fig.layout, width: MAX_FIGURE_WIDTH } };
}

/** The live part of a figure's display: plotly JSON and a text line (the first message show() sends). */
export function liveBundle(fig: Figure): MimeBundle {
  assertFigure(fig);
  const fitted = fitFigure(fig);
  return { [PLOTLY_MIME]: { data: fitted.data, layout: fitted.layout }, "text/plain": describeFigure(fitted) };
}

/** The full bundle and metadata of a figure's display: the live part plus, where chromium exists, the 1× PNG. */
export async function figureBundle(fig: Figure, opts: ShowOptions = {}): Promise<{ data: MimeBundle; metadata: Record<string, unknown> }> {
  const data = liveBundle(fig);
  const metadata: Record<string, unknown> = {};
  if (opts.png === true && !chromiumAvailable()) throw new Error(`figureBundle(fig, {png: true}): chromium not found at ${chromiumPath()}`);
  if (opts.png !== false && chromiumAvailable()) {
    const fitted = fitFigure(fig);
    const png = await (await sharedRenderer()).render(fitted, { format: "png", scale: opts.scale ?? 1 });
    data["image/png"] = Buffer.from(png).toString("base64");
    metadata["image/png"] = figureSize(fitted);
  } else if (opts.png === undefined && !warnedNoChromium) {
    warnedNoChromium = true;
    console.log(`lib/plot: ${chromiumPath()} not found, so figures are shown without a static PNG (interactive in JupyterLab only); npm run setup installs chromium`);
  }
  return { data, metadata };
}

let displayCount = 0;
/** A display_id unique within this kernel process. */
const nextDisplayId = (): string => `steersynth-${process.pid}-${++displayCount}`;

/** Display a figure in the notebook: live at once, the static PNG added in place (await it). */
export async function show(fig: Figure, opts: ShowOptions = {}): Promise<void> {
  const writer = requireWriter();
  const transient = { display_id: nextDisplayId() };
  writer({ data: liveBundle(fig), metadata: {}, transient }, false);
  if (opts.png === false) return;
  const { data, metadata } = await figureBundle(fig, opts);
  if (data["image/png"] !== undefined) writer({ data, metadata, transient }, true);
}

/** Tables taller than this scroll inside their box instead of pushing the rest of the notebook down. */
export const TABLE_MAX_HEIGHT_PX = 420;

/** Display rows as a table: text/html in a bounded, scrolling box, plus text/plain. */
export function showTable(rows: readonly Row[], opts: TableOptions = {}): void {
  const html = `<div class="steersynth-table" style="max-height:${TABLE_MAX_HEIGHT_PX}px;max-width:100%;overflow:auto">${tableHtml(rows, opts)}</div>`;
  requireWriter()({ data: { "text/html": html, "text/plain": tableText(rows, opts) }, metadata: {}, transient: {} }, false);
}

/** Display text token by token, each token coloured by a signed value (lib/plot/tokens.ts). */
export function showTokens(tokens: readonly string[], values: readonly number[], opts: TokenHeatOptions = {}): void {
  requireWriter()({ data: { "text/html": tokenHeatHtml(tokens, values, opts), "text/plain": tokenHeatText(tokens, values, opts) }, metadata: {}, transient: {} }, false);
}

/** Close the notebook's shared browser now (otherwise it closes itself after a minute without figures). */
export async function closeRenderer(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  const r = shared;
  shared = null;
  if (r) await (await r).close();
}
