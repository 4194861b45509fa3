/**
 * Text read token by token (RepE's view of a concept): each token's background shows a signed value — its
 * activation's projection on a concept direction — red for positive, blue for negative, white near zero, with the
 * colour scale symmetric around 0 (the largest |value| sets full colour unless `scale` is given). Pure: in, HTML out.
 */
export interface TokenHeatOptions {
  /** |value| that gets full colour (default: the largest |value|). */
  scale?: number;
  /** Shown before the text, e.g. the prompt or a label. */
  label?: string;
}

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** rgba background for a value in [-1, 1]: red above 0, blue below, alpha = |v|. */
const background = (v: number): string => {
  const a = Math.min(1, Math.abs(v)) * 0.85;
  return v >= 0 ? `rgba(214,39,40,${a.toFixed(3)})` : `rgba(31,119,180,${a.toFixed(3)})`;
};

export function tokenHeatHtml(tokens: readonly string[], values: readonly number[], opts: TokenHeatOptions = {}): string {
  if (tokens.length !== values.length) throw new Error(`tokenHeatHtml: ${tokens.length} tokens but ${values.length} values`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`tokenHeatHtml: value ${bad} (token ${JSON.stringify(tokens[bad])}) is not finite`);
  const scale = opts.scale ?? Math.max(1e-12, ...values.map(Math.abs));
  const spans = tokens.map((t, i) =>
    `<span title="${values[i].toFixed(3)}" style="background:${background(values[i] / scale)};white-space:pre-wrap">${escapeHtml(t)}</span>`).join("");
  const label = opts.label ? `<b>${escapeHtml(opts.label)}</b> ` : "";
  return `<div style="font-family:monospace;line-height:1.8;max-width:840px">${label}${spans}</div>`;
}

/** The same as plain text: each token followed by its value, for terminals and diffs. */
export function tokenHeatText(tokens: readonly string[], values: readonly number[], opts: TokenHeatOptions = {}): string {
  return (opts.label ? `${opts.label} ` : "") + tokens.map((t, i) => `${JSON.stringify(t)}:${values[i].toFixed(2)}`).join(" ");
}
