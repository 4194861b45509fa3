import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { repoRoot } from "../util/index";
import { assertFigure, figureSize, type Figure } from "./figure";

/**
 * Static rendering of figures (PNG, SVG) with plotly.js itself, inside a headless Debian chromium driven by
 * playwright-core (kaleido is unavailable; playwright's own browser download is not used). One browser serves
 * many figures: launching costs ~1–2 s, each figure then ~0.1–3 s.
 */

export type ImageFormat = "png" | "svg";

/** The chromium binary: STEERSYNTH_CHROMIUM, else Debian's /usr/bin/chromium (installed by `npm run setup`). */
export const chromiumPath = (): string => process.env.STEERSYNTH_CHROMIUM || "/usr/bin/chromium";
export const chromiumAvailable = (): boolean => existsSync(chromiumPath());

// No GPU, no sandbox (root in containers), and no background network traffic from a browser used offline.
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const projectRequire = () => createRequire(join(repoRoot(), "package.json"));

/** node_modules/plotly.js-dist-min/plotly.min.js: the same plotly.js that the HTML export embeds. */
export const plotlyBundlePath = (): string => projectRequire().resolve("plotly.js-dist-min");

export interface RenderOptions { format: ImageFormat; width?: number; height?: number; scale?: number }

/** Minimal view of the page's global plotly.js used below. */
interface PlotlyGlobal {
  toImage(fig: unknown, opts: { format: string; width: number; height: number; scale: number }): Promise<string>;
  validate(data: unknown, layout: unknown): { msg: string }[] | undefined;
}

export class FigureRenderer {
  // Calls into the page run one at a time: Plotly.toImage builds and purges a hidden div per call.
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly browser: Browser, private readonly page: Page) {}

  static async launch(): Promise<FigureRenderer> {
    const executablePath = chromiumPath();
    if (!existsSync(executablePath))
      throw new Error(`static figure rendering needs chromium at ${executablePath} (run npm run setup, or set STEERSYNTH_CHROMIUM)`);
    const { chromium } = projectRequire()("playwright-core") as typeof import("playwright-core");
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage();
      await page.setContent("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>");
      await page.addScriptTag({ path: plotlyBundlePath() });
      return new FigureRenderer(browser, page);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("FigureRenderer: used after close()"));
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The figure as PNG bytes or SVG text, at the layout's size (or the defaults); PNG at `scale` × pixels. */
  render(fig: Figure, opts: RenderOptions & { format: "png" }): Promise<Uint8Array>;
  render(fig: Figure, opts: RenderOptions & { format: "svg" }): Promise<string>;
  render(fig: Figure, opts: RenderOptions): Promise<Uint8Array | string>;
  render(fig: Figure, opts: RenderOptions): Promise<Uint8Array | string> {
    assertFigure(fig);
    const size = figureSize(fig);
    const args = {
      fig: { data: fig.data, layout: fig.layout },
      opts: { format: opts.format, width: opts.width ?? size.width, height: opts.height ?? size.height, scale: opts.scale ?? 1 },
    };
    return this.run(async () => {
      const url = await this.page.evaluate(
        ({ fig, opts }) => (globalThis as unknown as { Plotly: PlotlyGlobal }).Plotly.toImage(fig, opts),
        args,
      );
      // Plotly returns data URLs: base64 for PNG, URI-encoded text for SVG.
      const comma = url.indexOf(",");
      if (comma < 0) throw new Error(`Plotly.toImage returned an unexpected value (${url.slice(0, 40)}…)`);
      const body = url.slice(comma + 1);
      return opts.format === "png" ? new Uint8Array(Buffer.from(body, "base64")) : decodeURIComponent(body);
    });
  }

  /** plotly.js's own schema check (Plotly.validate): one message per unknown or invalid attribute; [] when valid. */
  validate(fig: Figure): Promise<string[]> {
    assertFigure(fig);
    return this.run(async () => {
      const errors = await this.page.evaluate(
        ({ data, layout }) => (globalThis as unknown as { Plotly: PlotlyGlobal }).Plotly.validate(data, layout) ?? [],
        { data: fig.data, layout: fig.layout },
      );
      return errors.map((e) => e.msg);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.browser.close();
  }
}

/** Run `fn` with one renderer, closed afterwards even on error. */
export async function withRenderer<T>(fn: (r: FigureRenderer) => Promise<T>): Promise<T> {
  const renderer = await FigureRenderer.launch();
  try {
    return await fn(renderer);
  } finally {
    await renderer.close();
  }
}
