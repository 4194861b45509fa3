/** Tables as plain rows → HTML and fixed-width text, for notebook display and logs. */

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

export interface TableOptions {
  /** Column order; default: the keys of all rows, in first-seen order. */
  columns?: string[];
  /** Rows shown; the rest are counted in a footer line (default 50). */
  maxRows?: number;
  caption?: string;
}

/** Non-integers to 4 significant digits; null/undefined/NaN as empty cells (absent, never a fake 0). */
export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "";
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  }
  return String(v);
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
  const numeric = (c: string) => shown.length > 0 && shown.every((r) => r[c] == null || typeof r[c] === "number");
  const align = (c: string) => (numeric(c) ? ' style="text-align:right"' : ' style="text-align:left"');
  const head = cols.map((c) => `<th${align(c)}>${escapeHtml(c)}</th>`).join("");
  const body = shown.map((r) => `<tr>${cols.map((c) => `<td${align(c)}>${escapeHtml(formatCell(r[c]))}</td>`).join("")}</tr>`).join("\n");
  const more = footer(shown.length, rows.length);
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>${more ? `<p>${escapeHtml(more)}</p>` : ""}`;
}

export function tableText(rows: readonly Row[], opts: TableOptions = {}): string {
  const cols = tableColumns(rows, opts.columns);
  const shown = rows.slice(0, opts.maxRows ?? 50);
  const cells = shown.map((r) => cols.map((c) => formatCell(r[c]).replace(/\s+/g, " ")));
  const widths = cols.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const line = (vals: string[]) => vals.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
  const lines = [line(cols), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  if (opts.caption) lines.unshift(opts.caption);
  const more = footer(shown.length, rows.length);
  if (more) lines.push(more);
  return lines.join("\n");
}
