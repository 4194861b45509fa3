import type { Figure } from "./figure";

/** Tables as plain rows → HTML and fixed-width text, for notebook display and logs. */

/** A row is any object (an interface such as ResultRow works as is); its fields are the columns. */
export type Row = object;
const cell = (r: Row, c: string): unknown => (r as Record<string, unknown>)[c];

export interface TableOptions {
  /** Column order; default: the keys of all rows, in first-seen order. */
  columns?: string[];
  /** Rows shown; the rest are counted in a footer line (default 50). */
  maxRows?: number;
  caption?: string;
}

/** Non-integers to 4 significant digits; null/undefined/NaN as empty cells (absent, never a fake 0); objects as JSON. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "";
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function tableColumns(rows: readonly Row[], columns?: string[]): string[] {
  if (columns) return columns;
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const footer = (shown: number, total: number): string | null => (total > shown ? `… ${total - shown} more row${total - shown === 1 ? "" : "s"} (${total} in all)` : null);

export function tableHtml(rows: readonly Row[], opts: TableOptions = {}): string {
  const cols = tableColumns(rows, opts.columns);
  const shown = rows.slice(0, opts.maxRows ?? 50);
  const numeric = (c: string) => shown.length > 0 && shown.every((r) => cell(r, c) == null || typeof cell(r, c) === "number");
  const align = (c: string) => (numeric(c) ? ' style="text-align:right"' : ' style="text-align:left"');
  const head = cols.map((c) => `<th${align(c)}>${escapeHtml(c)}</th>`).join("");
  const body = shown.map((r) => `<tr>${cols.map((c) => `<td${align(c)}>${escapeHtml(formatCell(cell(r, c)))}</td>`).join("")}</tr>`).join("\n");
  const more = footer(shown.length, rows.length);
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>${more ? `<p>${escapeHtml(more)}</p>` : ""}`;
}

export function tableText(rows: readonly Row[], opts: TableOptions = {}): string {
  const cols = tableColumns(rows, opts.columns);
  const shown = rows.slice(0, opts.maxRows ?? 50);
  const cells = shown.map((r) => cols.map((c) => formatCell(cell(r, c)).replace(/\s+/g, " ")));
  const widths = cols.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const line = (vals: string[]) => vals.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
  const lines = [line(cols), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  if (opts.caption) lines.unshift(opts.caption);
  const more = footer(shown.length, rows.length);
  if (more) lines.push(more);
  return lines.join("\n");
}

/**
 * Rows as a plotly table trace, for static export next to the figures (height grows with the rows shown). plotly
 * reads a subset of HTML in cell text, so cells are escaped (a generated "<b>" stays literal) and newlines become
 * <br>.
 */
export function tableFigure(rows: readonly Row[], opts: TableOptions & { title?: string; width?: number } = {}): Figure {
  const cols = tableColumns(rows, opts.columns);
  const shown = rows.slice(0, opts.maxRows ?? 50);
  const textHeavy = (c: string) => shown.some((r) => String(cell(r, c) ?? "").length > 40);
  return {
    data: [{
      type: "table",
      columnwidth: cols.map((c) => (textHeavy(c) ? 6 : 1)),
      header: { values: cols.map((c) => `<b>${escapeHtml(c)}</b>`), align: "left", fill: { color: "#eeeeee" } },
      cells: { values: cols.map((c) => shown.map((r) => escapeHtml(formatCell(cell(r, c))).replace(/\n/g, "<br>"))), align: "left", height: 24 },
    }],
    layout: {
      ...(opts.title ?? opts.caption ? { title: { text: opts.title ?? opts.caption } } : {}),
      width: opts.width ?? 1100,
      height: 140 + 44 * shown.length,
      margin: { l: 20, r: 20, t: 60, b: 20 },
    },
  };
}
