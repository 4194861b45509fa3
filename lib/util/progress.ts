/**
 * Progress for long work. Four modes:
 * - "bar": a terminal (stderr is a TTY): one redrawn line with a bar, rate and ETA;
 * - "live": notebooks (STEERSYNTH_PROGRESS=live, set by the tslab kernel launcher): the same line redrawn with "\r"
 *   on STDOUT, which Jupyter renders in place as one plain line (stderr is painted as an error block in JupyterLab,
 *   so only real errors go there);
 * - "lines": logs and CI: a line at most every 10%, and nothing for work that ends within 2 s;
 * - "off": STEERSYNTH_PROGRESS=off.
 * Nesting: while one progress is running, a progress started inside it (e.g. generation inside a study
 * configuration) does not draw its own line; it shows as a suffix of the outer line ("… · generate 40/256").
 */
export type ProgressMode = "bar" | "live" | "lines" | "off";

let forcedMode: ProgressMode | null = null;
export const setProgressMode = (mode: ProgressMode | null): void => { forcedMode = mode; };

function currentMode(): ProgressMode {
  if (forcedMode) return forcedMode;
  const env = process.env.STEERSYNTH_PROGRESS;
  if (env === "bar" || env === "live" || env === "lines" || env === "off") return env;
  return process.stderr.isTTY ? "bar" : "lines";
}

export interface Progress {
  /** Advance by n units (default 1). */
  tick(n?: number): void;
  /** Change the label shown (e.g. the configuration in flight). */
  label(text: string): void;
  done(): void;
}

const fmtTime = (s: number): string =>
  !Number.isFinite(s) ? "?" : s < 60 ? `${s.toFixed(0)}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${(s / 3600).toFixed(1)}h`;

let outer: { sub(text: string): void } | null = null;

export function progress(title: string, total: number): Progress {
  if (outer) return nested(outer, title, total);
  const mode = currentMode();
  const start = Date.now();
  let doneUnits = 0, lastDraw = 0, lastDecile = -1, text = title, finished = false, suffix = "", printed = false;
  const write = (s: string) => (mode === "live" ? process.stdout : process.stderr).write(s);
  const line = (): string => {
    const frac = total > 0 ? Math.min(1, doneUnits / total) : 1;
    const elapsed = (Date.now() - start) / 1000;
    const eta = doneUnits > 0 ? (elapsed / doneUnits) * (total - doneUnits) : NaN;
    const width = 24, filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    return `${text} ${bar} ${doneUnits}/${total} ${(frac * 100).toFixed(0)}% ${fmtTime(elapsed)} elapsed, ETA ${fmtTime(eta)}${suffix}`;
  };
  const draw = (force = false): void => {
    if (mode === "off") return;
    const now = Date.now();
    if (mode === "lines") {
      // Logs stay short: work finishing within 2 s prints nothing; longer work a line per 10 %.
      const decile = total > 0 ? Math.floor((doneUnits / total) * 10) : 10;
      if (now - start < 2000 && !printed) return;
      if (decile !== lastDecile || force) { lastDecile = decile; printed = true; write(line() + "\n"); }
      return;
    }
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    write("\r" + line() + (mode === "bar" ? "\x1b[K" : "   "));
  };
  draw(true);
  const self = { sub(t: string) { suffix = t ? ` · ${t}` : ""; if (mode !== "lines") draw(); } };
  outer = self;
  return {
    tick(n = 1) { doneUnits += n; draw(); },
    label(t) { text = `${title}: ${t}`; },
    done() {
      if (finished) return;
      finished = true;
      if (outer === self) outer = null;
      if (mode === "lines") { if (printed && lastDecile !== 10) draw(true); return; }
      draw(true);
      if (mode !== "off") write("\n");
    },
  };
}

/** A progress inside another: reported as the outer line's suffix. */
function nested(parent: { sub(text: string): void }, title: string, total: number): Progress {
  let doneUnits = 0, finished = false;
  const show = () => parent.sub(`${title} ${doneUnits}/${total}`);
  show();
  return {
    tick(n = 1) { doneUnits += n; show(); },
    label() {},
    done() { if (!finished) { finished = true; parent.sub(""); } },
  };
}
