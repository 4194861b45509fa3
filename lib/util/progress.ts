/**
 * Progress for long work. Three modes:
 * - "bar": a terminal (stderr is a TTY): one redrawn line with a bar, rate and ETA;
 * - "live": notebooks (set by lib/plot/notebook or STEERSYNTH_PROGRESS=live): the same line redrawn with "\r",
 *   which Jupyter renders in place;
 * - "lines": logs and CI: a line at most every 10% so logs stay short;
 * - "off": STEERSYNTH_PROGRESS=off.
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

export function progress(title: string, total: number): Progress {
  const mode = currentMode();
  const start = Date.now();
  let doneUnits = 0, lastDraw = 0, lastDecile = -1, text = title, finished = false;
  const write = (s: string) => process.stderr.write(s);
  const line = (): string => {
    const frac = total > 0 ? Math.min(1, doneUnits / total) : 1;
    const elapsed = (Date.now() - start) / 1000;
    const eta = doneUnits > 0 ? (elapsed / doneUnits) * (total - doneUnits) : NaN;
    const width = 24, filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    return `${text} ${bar} ${doneUnits}/${total} ${(frac * 100).toFixed(0)}% ${fmtTime(elapsed)} elapsed, ETA ${fmtTime(eta)}`;
  };
  const draw = (force = false): void => {
    if (mode === "off") return;
    const now = Date.now();
    if (mode === "lines") {
      const decile = total > 0 ? Math.floor((doneUnits / total) * 10) : 10;
      if (decile !== lastDecile || force) { lastDecile = decile; write(line() + "\n"); }
      return;
    }
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    write("\r" + line() + (mode === "bar" ? "\x1b[K" : "   "));
  };
  draw(true);
  return {
    tick(n = 1) { doneUnits += n; draw(); },
    label(t) { text = `${title}: ${t}`; },
    done() {
      if (finished) return;
      finished = true;
      if (mode === "lines") { if (lastDecile !== 10) draw(true); return; }
      draw(true);
      if (mode !== "off") write("\n");
    },
  };
}
