import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddingRows } from "../../lib/engine/embedding";

const dir = mkdtempSync(join(tmpdir(), "steersynth-embedding-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A [V, H] table with distinct values, and the naive lookup it must equal: row id copied for each id. */
const V = 7, H = 5;
const table = Float32Array.from({ length: V * H }, (_, i) => Math.fround(Math.sin(i + 1) * 3));
const naive = (ids: number[]) => Float32Array.from(ids.flatMap((id) => [...table.subarray(id * H, (id + 1) * H)]));

describe("embeddingRows (host-side token embedding)", () => {
  const ids = [3, 0, 3, 6, 6, 1, 3];
  const big = BigInt64Array.from(ids.map(BigInt));

  it("reads rows from a range of a weight file (pread at the entry's offset) exactly as the table holds them", () => {
    const file = join(dir, "w.weights"), offset = 64;
    const bytes = new Uint8Array(offset + table.byteLength + 32).fill(0xff); // other weights before and after
    bytes.set(new Uint8Array(table.buffer), offset);
    writeFileSync(file, bytes);
    const rows = embeddingRows({ file, entry: { offset, length: table.byteLength } }, V, H);
    try {
      expect(rows.lookup(big)).toEqual(naive(ids));
      expect(rows.lookup(BigInt64Array.from([6n]))).toEqual(naive([6])); // the handle stays usable
    } finally { rows.close(); }
    expect(() => rows.close()).not.toThrow();
  });

  it("reads the same rows from an in-memory table, made once on first use", () => {
    let made = 0;
    const rows = embeddingRows({ table: () => { made++; return table; } }, V, H);
    expect(made).toBe(1);
    expect(rows.lookup(big)).toEqual(naive(ids));
    expect(rows.lookup(new BigInt64Array(0))).toEqual(new Float32Array(0));
  });

  it("errors clearly on a damaged cache and on ids outside the vocabulary", () => {
    const file = join(dir, "short.weights");
    writeFileSync(file, new Uint8Array(table.byteLength - 4)); // the last row's last float is missing
    const rows = embeddingRows({ file, entry: { offset: 0, length: table.byteLength } }, V, H);
    expect(() => rows.lookup(BigInt64Array.from([6n]))).toThrow("ended inside the embedding (token 6)");
    rows.close();
    expect(() => embeddingRows({ file, entry: undefined }, V, H)).toThrow("embedding in " + file + " is missing");
    expect(() => embeddingRows({ file, entry: { offset: 0, length: 12 } }, V, H)).toThrow("is 12 bytes, expected 7 × 5 floats");
    expect(() => embeddingRows({ table: () => table }, V, H).lookup(BigInt64Array.from([7n]))).toThrow("token id 7 outside the vocabulary [0, 7)");
  });
});
