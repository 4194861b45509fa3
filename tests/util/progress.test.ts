import { afterEach, describe, expect, it, vi } from "vitest";
import { progress, setProgressMode } from "../../lib/util/progress";

/** Record what progress writes to each stream (and nothing reaches the terminal). */
function recordStreams() {
  const out: string[] = [], err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => { err.push(String(s)); return true; });
  return { out, err };
}
afterEach(() => { vi.restoreAllMocks(); setProgressMode(null); });

describe("progress in notebooks (live mode)", () => {
  it("redraws one line on stdout with \\r and never writes to stderr", () => {
    setProgressMode("live");
    const { out, err } = recordStreams();
    const p = progress("generate", 4);
    for (let i = 0; i < 4; i++) p.tick();
    p.done();
    expect(err).toEqual([]);
    expect(out.length).toBeGreaterThanOrEqual(2);
    expect(out.slice(0, -1).every((s) => s.startsWith("\r") && !s.includes("\n"))).toBe(true);
    expect(out.at(-2)).toContain("4/4 100%");
    expect(out.at(-1)).toBe("\n");
  });
  it("keeps the terminal bar on stderr", () => {
    setProgressMode("bar");
    const { out, err } = recordStreams();
    const p = progress("generate", 2);
    p.tick(2);
    p.done();
    expect(out).toEqual([]);
    expect(err.join("")).toContain("2/2 100%");
  });
});
