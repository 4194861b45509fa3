import * as fs from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * readSync may return fewer bytes than asked (network filesystems, a file truncated while read). The reader
 * must loop until the bytes are in, or fail naming the file: never leave zeros in a tensor.
 */
const limit = { bytes: Infinity, after: Infinity };
vi.mock("node:fs", async (original) => {
  const real = await original<typeof import("node:fs")>();
  let calls = 0;
  return {
    ...real,
    readSync: (fd: number, buf: Uint8Array, offset: number, length: number, position: number) =>
      calls++ >= limit.after ? 0 : real.readSync(fd, buf, offset, Math.min(length, limit.bytes), position),
  };
});
const { readSafetensors, writeSafetensors } = await import("../../lib/checkpoint/safetensors");

const dir = mkdtempSync(join(tmpdir(), "st-short-"));
const data = Float32Array.from({ length: 64 }, (_, i) => i + 1);
const file = join(dir, "x.safetensors");
writeSafetensors(file, { x: { shape: [64], data } });
afterEach(() => Object.assign(limit, { bytes: Infinity, after: Infinity }));

describe("safetensors reader with short reads", () => {
  it("gets every byte when readSync returns at most 3 bytes per call", () => {
    limit.bytes = 3;
    expect(Array.from(readSafetensors(file).tensors.get("x")!.data)).toEqual(Array.from(data));
    expect(fs.existsSync(file)).toBe(true);
  });

  it("fails naming the file when the data stops coming (end of file)", () => {
    limit.bytes = 16;
    limit.after = 4; // length, header, then a few chunks of data
    expect(() => readSafetensors(file)).toThrow(/x\.safetensors: file ended while reading/);
  });
});
