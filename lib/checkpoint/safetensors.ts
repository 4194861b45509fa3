import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { TensorF32 } from "../arch/index";
import { writeFileAtomic } from "../util/index";

/**
 * The safetensors format: 8-byte little-endian header length N, N bytes of JSON header
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}), then the data.
 * Offsets are relative to the end of the header. All tensors are returned as float32 (computation here is fp32).
 */
export type Dtype = "F32" | "F16" | "BF16" | "F64" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

const BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface HeaderEntry {
  dtype: Dtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Record<string, HeaderEntry>;
  metadata: Record<string, string>;
  /** Absolute byte offset where tensor data begins (8 + N). */
  dataStart: number;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Parse and validate a header: known dtypes, sizes matching shapes, offsets in range and not overlapping. */
export function parseHeader(file: string, headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerBytes.length;
  const dataSize = fileSize - dataStart;
  const tensors: Record<string, HeaderEntry> = {};
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json)) {
    if (name === "__metadata__") { metadata = raw as Record<string, string>; continue; }
    const e = raw as Partial<HeaderEntry>;
    if (!e || typeof e.dtype !== "string" || !(e.dtype in BYTES))
      throw new Error(`${file}: tensor '${name}' has unknown dtype ${JSON.stringify(e?.dtype)} (expected one of ${Object.keys(BYTES).join(", ")})`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new Error(`${file}: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !Number.isInteger(off[0]) || !Number.isInteger(off[1]) || off[0] < 0 || off[1] < off[0])
      throw new Error(`${file}: tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    if (off[1] > dataSize)
      throw new Error(`${file}: tensor '${name}' data_offsets ${JSON.stringify(off)} run past the end of the data (${dataSize} bytes)`);
    const expected = numel(e.shape) * BYTES[e.dtype as Dtype];
    if (off[1] - off[0] !== expected)
      throw new Error(`${file}: tensor '${name}' occupies ${off[1] - off[0]} bytes but shape ${JSON.stringify(e.shape)} × ${e.dtype} needs ${expected}`);
    tensors[name] = { dtype: e.dtype as Dtype, shape: e.shape, data_offsets: [off[0], off[1]] };
  }
  const spans = Object.entries(tensors).map(([n, t]) => ({ n, b: t.data_offsets[0], e: t.data_offsets[1] })).sort((x, y) => x.b - y.b || x.e - y.e);
  for (let i = 1; i < spans.length; i++)
    if (spans[i].b < spans[i - 1].e && spans[i].e > spans[i].b)
      throw new Error(`${file}: tensors '${spans[i - 1].n}' and '${spans[i].n}' overlap in the data section`);
  return { tensors, metadata, dataStart };
}

/** Read only the header of a safetensors file (cheap: no tensor data is read). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = openSync(file, "r");
  try {
    const size = statSync(file).size;
    if (size < 8) throw new Error(`${file}: too short to be a safetensors file (${size} bytes)`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n <= 0 || 8 + n > size) throw new Error(`${file}: header length ${n} does not fit in a ${size}-byte file`);
    const hdr = Buffer.alloc(n);
    readSync(fd, hdr, 0, n, 8);
    return parseHeader(file, hdr, size);
  } finally {
    closeSync(fd);
  }
}

/** Convert raw little-endian bytes of a dtype to float32. */
export function toFloat32(dtype: Dtype, bytes: Uint8Array): Float32Array {
  const n = bytes.length / BYTES[dtype];
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32": for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true); break;
    case "F64": for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true); break;
    case "F16": for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true)); break;
    case "BF16": {
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = dv.getUint16(i * 2, true) << 16;
      break;
    }
    case "I64": for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true)); break;
    case "I32": for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true); break;
    case "I16": for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true); break;
    case "I8": for (let i = 0; i < n; i++) out[i] = dv.getInt8(i); break;
    case "U8": case "BOOL": for (let i = 0; i < n; i++) out[i] = bytes[i]; break;
  }
  return out;
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Round-to-nearest-even float32 → float16 bits. */
export function floatToHalf(x: number): number {
  const f32 = new Float32Array([x]), u = new Uint32Array(f32.buffer)[0];
  const sign = (u >>> 16) & 0x8000, exp = (u >>> 23) & 0xff, mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = (mant | 0x800000) >>> (1 - e);
    const rounded = (m + 0xfff + ((m >>> 13) & 1)) >>> 13;
    return sign | rounded;
  }
  const rounded = (mant + 0xfff + ((mant >>> 13) & 1));
  if (rounded & 0x800000) return e + 1 >= 31 ? sign | 0x7c00 : sign | ((e + 1) << 10);
  return sign | (e << 10) | (rounded >>> 13);
}

/** Round-to-nearest-even float32 → bfloat16 bits. */
export function floatToBf16(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0];
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40;
  return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}

/** Read named tensors (all when `names` is omitted) as float32. */
export function readSafetensors(file: string, names?: readonly string[]): { tensors: Map<string, TensorF32>; metadata: Record<string, string> } {
  const header = readSafetensorsHeader(file);
  const wanted = names ?? Object.keys(header.tensors);
  const fd = openSync(file, "r");
  try {
    const tensors = new Map<string, TensorF32>();
    for (const name of wanted) {
      const e = header.tensors[name];
      if (!e) throw new Error(`${file}: no tensor named '${name}'`);
      const len = e.data_offsets[1] - e.data_offsets[0];
      const buf = Buffer.alloc(len);
      if (len > 0) readSync(fd, buf, 0, len, header.dataStart + e.data_offsets[0]);
      tensors.set(name, { shape: e.shape.slice(), data: toFloat32(e.dtype, buf) });
    }
    return { tensors, metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}

export interface WriteTensor {
  shape: number[];
  data: Float32Array;
  /** Stored dtype (default F32). F16/BF16 round to nearest even. */
  dtype?: "F32" | "F16" | "BF16";
}

/** Serialise tensors (sorted by name, 8-byte aligned header as the reference implementation does). */
export function encodeSafetensors(tensors: Record<string, WriteTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const dtype = t.dtype ?? "F32";
    if (numel(t.shape) !== t.data.length) throw new Error(`tensor '${name}': shape ${JSON.stringify(t.shape)} does not match ${t.data.length} values`);
    const size = t.data.length * BYTES[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const hdr = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + hdr.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hdr.length), true);
  out.set(hdr, 8);
  let pos = 8 + hdr.length;
  for (const name of names) {
    const t = tensors[name];
    const dtype = t.dtype ?? "F32";
    if (dtype === "F32") {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
      pos += t.data.byteLength;
    } else {
      const conv = dtype === "F16" ? floatToHalf : floatToBf16;
      for (let i = 0; i < t.data.length; i++, pos += 2) dv.setUint16(pos, conv(t.data[i]), true);
    }
  }
  return out;
}

export function writeSafetensors(file: string, tensors: Record<string, WriteTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
