import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { encodeSafetensors, readSafetensors } from "../../lib/checkpoint/safetensors";
import { corruptedBytes, fuzzParams, jsonValue, outcome } from "./harness";

/** The safetensors reader on corrupted files: a valid read (every tensor's data matches its shape) or a clear error. */
const dir = mkdtempSync(join(tmpdir(), "fuzz-st-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "fuzz.safetensors");

const base = encodeSafetensors({
  a: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  b: { shape: [4], data: Float32Array.from([7, 8, 9, 10]), dtype: "F16" },
  e: { shape: [0], data: new Float32Array(0) },
}, { format: "pt" });

function check(bytes: Uint8Array): void {
  writeFileSync(file, bytes);
  const r = outcome(() => readSafetensors(file), file);
  if (r.ok) for (const [, t] of r.value.tensors) expect(t.data.length).toBe(t.shape.reduce((x, y) => x * y, 1));
}

describe("fuzz: safetensors reader", () => {
  it("survives byte flips, cuts and insertions anywhere in the file", () => {
    fc.assert(fc.property(corruptedBytes(base), check), fuzzParams(1000));
  });

  it("survives any JSON as the header (with a consistent length prefix)", () => {
    const header = fc.oneof(
      jsonValue(),
      fc.dictionary(fc.string({ maxLength: 6 }), fc.record({ dtype: fc.oneof(fc.constantFrom("F32", "F16", "I8", "BOOL", "F64", "X"), jsonValue()), shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }), jsonValue()), data_offsets: fc.oneof(fc.array(fc.integer({ min: -4, max: 40 }), { maxLength: 3 }), jsonValue()) }, { requiredKeys: [] }), { maxKeys: 4 }),
    );
    fc.assert(fc.property(header, fc.uint8Array({ maxLength: 48 }), (h, data) => {
      const json = Buffer.from(JSON.stringify(h) ?? "null");
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      check(Buffer.concat([len, json, data]));
    }), fuzzParams(800));
  });
});
