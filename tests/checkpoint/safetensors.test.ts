import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { anyExponentAllOnes, encodeSafetensors, MAX_HEADER_BYTES, floatToBf16, floatToHalf, halfToFloat, readSafetensors, writeSafetensors } from "../../lib/checkpoint/safetensors";

const dir = mkdtempSync(join(tmpdir(), "st-"));

/** Build a file from a raw header object and a data section, to exercise validation. */
function rawFile(name: string, header: object, data: Uint8Array): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([len, json, data]));
  return path;
}

describe("safetensors", () => {
  it("round-trips F32 exactly and F16/BF16 to their precision, with metadata", () => {
    const data = new Float32Array([0, 1, -2.5, 3.14159, 65504, 1e-3]);
    const path = join(dir, "a.safetensors");
    writeSafetensors(path, {
      f32: { shape: [2, 3], data },
      f16: { shape: [6], data, dtype: "F16" },
      bf16: { shape: [6], data, dtype: "BF16" },
    }, { format: "pt" });
    const { tensors, metadata } = readSafetensors(path);
    expect(metadata).toEqual({ format: "pt" });
    expect(tensors.get("f32")!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.get("f32")!.data)).toEqual(Array.from(data));
    // F16 has 11 significant bits (relative error ≤ 2^-11), BF16 8 (≤ 2^-8).
    tensors.get("f16")!.data.forEach((x, i) => expect(Math.abs(x - data[i])).toBeLessThanOrEqual(Math.abs(data[i]) * 2 ** -11 + 1e-7));
    tensors.get("bf16")!.data.forEach((x, i) => expect(Math.abs(x - data[i])).toBeLessThanOrEqual(Math.abs(data[i]) * 2 ** -8 + 1e-7));
  });

  it("encodes known half/bfloat16 bit patterns", () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(halfToFloat(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(floatToBf16(1)).toBe(0x3f80);
    expect(floatToBf16(-2)).toBe(0xc000);
  });

  it("aligns the header to 8 bytes", () => {
    const bytes = encodeSafetensors({ x: { shape: [1], data: new Float32Array([1]) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
  });

  it("rejects unknown dtypes, out-of-range and overlapping offsets, and size mismatches, naming the file and tensor", () => {
    const four = new Uint8Array(8);
    expect(() => readSafetensors(rawFile("d.st", { x: { dtype: "Q4", shape: [1], data_offsets: [0, 4] } }, four))).toThrow(/d\.st.*'x'.*unknown dtype/);
    expect(() => readSafetensors(rawFile("r.st", { x: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, four))).toThrow(/r\.st.*'x'.*past the end/);
    expect(() => readSafetensors(rawFile("o.st", {
      x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      y: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
    }, four))).toThrow(/overlap/);
    expect(() => readSafetensors(rawFile("s.st", { x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, four))).toThrow(/'x' occupies 8 bytes.*needs 12/);
    expect(() => readSafetensors(rawFile("j.st", {}, four).replace("j.st", "missing.st"))).toThrow();
  });

  it("rejects a header that is not an object of tensors (null, a list, a number), naming the file", () => {
    for (const [name, header] of [["null.st", null], ["list.st", []], ["num.st", 5]] as const)
      expect(() => readSafetensors(rawFile(name, header as unknown as object, new Uint8Array(0)))).toThrow(new RegExp(`${name.replace(".", "\\.")}: safetensors header must be a JSON object`));
  });

  it("validates __metadata__: an object of string values", () => {
    const four = new Uint8Array(4);
    const x = { dtype: "F32", shape: [1], data_offsets: [0, 4] };
    expect(() => readSafetensors(rawFile("m1.st", { __metadata__: null, x }, four))).toThrow(/m1\.st: __metadata__ must be an object of strings/);
    expect(() => readSafetensors(rawFile("m2.st", { __metadata__: { n: 3 }, x }, four))).toThrow(/m2\.st: __metadata__\['n'\] must be a string/);
    expect(readSafetensors(rawFile("m3.st", { __metadata__: { n: "3" }, x }, four)).metadata).toEqual({ n: "3" });
  });

  it("finds overlaps that an empty or short tensor between them would hide", () => {
    const data = new Uint8Array(16);
    expect(() => readSafetensors(rawFile("o2.st", {
      a: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
      e: { dtype: "F32", shape: [0], data_offsets: [4, 4] },
      b: { dtype: "F32", shape: [1], data_offsets: [8, 12] },
    }, data))).toThrow(/o2\.st: tensors 'a' and 'b' overlap/);
    expect(() => readSafetensors(rawFile("o3.st", {
      a: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
      s: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
      b: { dtype: "F32", shape: [1], data_offsets: [12, 16] },
    }, data))).toThrow(/o3\.st: tensors '.' and '.' overlap/);
    // Empty tensors anywhere, and tensors that only touch, are fine.
    expect(readSafetensors(rawFile("ok.st", {
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      e: { dtype: "F32", shape: [0], data_offsets: [4, 4] },
      b: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
    }, data)).tensors.size).toBe(3);
  });

  it("caps the header length at 100 MB before allocating it", () => {
    const path = join(dir, "huge.st");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(MAX_HEADER_BYTES + 1));
    writeFileSync(path, len);
    truncateSync(path, 8 + MAX_HEADER_BYTES + 1); // sparse: the claimed header fits in the file
    expect(() => readSafetensors(path)).toThrow(/huge\.st: header length 100000001 exceeds the 100000000-byte limit/);
  });

  it("lets a caller reject tensors by name and dtype before any data is read", () => {
    const path = rawFile("c.st", { x: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    const seen: string[] = [];
    expect(() => readSafetensors(path, undefined, (name, e) => { seen.push(name); if (e.dtype !== "F32") throw new Error(`${name}: ${e.dtype}`); })).toThrow("x: F64");
    expect(seen).toEqual(["x"]);
  });
});

describe("anyExponentAllOnes (the load-time finiteness check on stored bits)", () => {
  // Reference: decode every element and ask Number.isFinite.
  const naive = (bytes: Uint8Array, dtype: "F32" | "F16" | "BF16"): boolean => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = dtype === "F32" ? 4 : 2;
    for (let i = 0; i < bytes.length / size; i++) {
      const v = dtype === "F32" ? dv.getFloat32(i * 4, true) : dtype === "F16" ? halfToFloat(dv.getUint16(i * 2, true)) : new Float32Array(new Uint32Array([dv.getUint16(i * 2, true) << 16]).buffer)[0];
      if (!Number.isFinite(v)) return true;
    }
    return false;
  };
  const MASK = { F32: 0x7f800000, F16: 0x7c00, BF16: 0x7f80 } as const;
  it("agrees with decoding every value, for Inf/NaN/largest finite at every position, odd lengths included", () => {
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
    for (const dtype of ["F32", "F16", "BF16"] as const) {
      const size = dtype === "F32" ? 4 : 2;
      // non-finite and largest-finite bit patterns (sign set or not)
      const special = dtype === "F32" ? [0x7f800000, 0xff800000, 0x7fc00001, 0x7f7fffff, 0xff7fffff]
        : dtype === "F16" ? [0x7c00, 0xfc00, 0x7e01, 0x7bff, 0xfbff] : [0x7f80, 0xff80, 0x7fc1, 0x7f7f, 0xff7f];
      for (const n of [1, 2, 3, 7, 8, 33]) {
        for (let at = 0; at < n; at++) for (const bits of special) {
          const bytes = new Uint8Array(n * size);
          const dv = new DataView(bytes.buffer);
          // random finite values: exponent field kept below all-ones
          for (let i = 0; i < n; i++) {
            if (size === 4) dv.setUint32(i * 4, (rand() & 0x807fffff) | ((rand() % 255) << 23), true);
            else dv.setUint16(i * 2, (rand() & ~MASK[dtype] & 0xffff) | (((rand() % (dtype === "F16" ? 31 : 255)) << (dtype === "F16" ? 10 : 7)) & MASK[dtype]), true);
          }
          expect(naive(bytes, dtype)).toBe(false);
          expect(anyExponentAllOnes(bytes, size, MASK[dtype])).toBe(false);
          if (size === 4) dv.setUint32(at * 4, bits, true); else dv.setUint16(at * 2, bits, true);
          expect(anyExponentAllOnes(bytes, size, MASK[dtype])).toBe(naive(bytes, dtype));
        }
      }
    }
  });
});
