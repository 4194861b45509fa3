import { closeSync, fstatSync, openSync, readSync } from "node:fs";
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

/** The largest header accepted (the reference implementation's cap): a bigger one is not a safetensors file. */
export const MAX_HEADER_BYTES = 100_000_000;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Parse and validate a header: a JSON object of tensors with known dtypes, sizes matching shapes, offsets in
 * range and not overlapping, and an optional `__metadata__` of string values.
 */
export function parseHeader(file: string, headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(json)) throw new Error(`${file}: safetensors header must be a JSON object of tensors, got ${json === null ? "null" : Array.isArray(json) ? "a list" : typeof json}`);
  const dataStart = 8 + headerBytes.length;
  const dataSize = fileSize - dataStart;
  const tensors: Record<string, HeaderEntry> = {};
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json)) {
    if (name === "__metadata__") { metadata = parseMetadata(file, raw); continue; }
    const e = (isPlainObject(raw) ? raw : {}) as Partial<HeaderEntry>;
    if (typeof e.dtype !== "string" || !Object.hasOwn(BYTES, e.dtype))
      throw new Error(`${file}: tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)} (expected one of ${Object.keys(BYTES).join(", ")})`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new Error(`${file}: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !Number.isSafeInteger(off[0]) || !Number.isSafeInteger(off[1]) || off[0] < 0 || off[1] < off[0])
      throw new Error(`${file}: tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    if (off[1] > dataSize)
      throw new Error(`${file}: tensor '${name}' data_offsets ${JSON.stringify(off)} run past the end of the data (${dataSize} bytes)`);
    const expected = numel(e.shape) * BYTES[e.dtype as Dtype];
    if (off[1] - off[0] !== expected)
      throw new Error(`${file}: tensor '${name}' occupies ${off[1] - off[0]} bytes but shape ${JSON.stringify(e.shape)} × ${e.dtype} needs ${expected}`);
    tensors[name] = { dtype: e.dtype as Dtype, shape: e.shape, data_offsets: [off[0], off[1]] };
  }
  checkOverlaps(file, tensors);
  return { tensors, metadata, dataStart };
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  if (!isPlainObject(raw)) throw new Error(`${file}: __metadata__ must be an object of strings, got ${JSON.stringify(raw)}`);
  for (const [k, v] of Object.entries(raw))
    if (typeof v !== "string") throw new Error(`${file}: __metadata__['${k}'] must be a string, got ${JSON.stringify(v)}`);
  return raw as Record<string, string>;
}

/**
 * No two non-empty tensors share a byte. Sorted by start, each must begin at or after the furthest end seen so
 * far (not only the previous tensor's: a short or empty tensor between two overlapping ones must not hide them).
 */
function checkOverlaps(file: string, tensors: Record<string, HeaderEntry>): void {
  const spans = Object.entries(tensors)
    .map(([n, t]) => ({ n, b: t.data_offsets[0], e: t.data_offsets[1] }))
    .filter((s) => s.e > s.b)
    .sort((x, y) => x.b - y.b || x.e - y.e);
  let furthest: { n: string; e: number } | null = null;
  for (const s of spans) {
    if (furthest && s.b < furthest.e) throw new Error(`${file}: tensors '${furthest.n}' and '${s.n}' overlap in the data section`);
    if (!furthest || s.e > furthest.e) furthest = s;
  }
}

/** readSync until `length` bytes are in, or an error naming the file (a short read must never leave zeros). */
function readExactly(fd: number, file: string, buf: Uint8Array, position: number, what: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error(`${file}: file ended while reading ${what} (${done} of ${buf.length} bytes at offset ${position}); was it truncated while being read?`);
    done += n;
  }
}

/** Read only the header of a safetensors file (cheap: no tensor data is read). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new Error(`${file}: too short to be a safetensors file (${size} bytes)`);
    const lenBuf = Buffer.alloc(8);
    readExactly(fd, file, lenBuf, 0, "the header length");
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n <= 0 || 8 + n > size) throw new Error(`${file}: header length ${n} does not fit in a ${size}-byte file`);
    if (n > MAX_HEADER_BYTES) throw new Error(`${file}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
    const hdr = Buffer.alloc(n);
    readExactly(fd, file, hdr, 8, "the header");
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

/**
 * Read named tensors (all when `names` is omitted) as float32. `check` sees the header entry of each wanted
 * tensor before any data is read (a caller's name and dtype rules fail fast, before a large read).
 */
export function readSafetensors(file: string, names?: readonly string[], check?: (name: string, entry: HeaderEntry) => void): { tensors: Map<string, TensorF32>; metadata: Record<string, string> } {
  const header = readSafetensorsHeader(file);
  const wanted = names ?? Object.keys(header.tensors);
  for (const name of wanted) {
    if (!Object.hasOwn(header.tensors, name)) throw new Error(`${file}: no tensor named '${name}'`);
    check?.(name, header.tensors[name]);
  }
  const tensors = new Map<string, TensorF32>();
  for (const name of wanted) tensors.set(name, readStoredTensor(file, header.dataStart, name, header.tensors[name]));
  return { tensors, metadata: header.metadata };
}

/**
 * One tensor of a safetensors file whose header is already parsed (`dataStart`, its entry), as fp32: the one place
 * stored tensor bytes become float arrays (a checkpoint streams through it one tensor at a time).
 */
export function readStoredTensor(file: string, dataStart: number, name: string, e: HeaderEntry): TensorF32 {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(e.data_offsets[1] - e.data_offsets[0]);
    readExactly(fd, file, buf, dataStart + e.data_offsets[0], `tensor '${name}'`);
    return { shape: e.shape.slice(), data: toFloat32(e.dtype, buf) };
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

/** Bits that are all ones exactly for Inf and NaN, per float dtype (the exponent field). */
const EXPONENT_MASK = { F32: 0x7f800000, F16: 0x7c00, BF16: 0x7f80 } as const;

/**
 * The first non-finite value of a float tensor, found from its raw bits in bounded chunks (no float32 copy of
 * the tensor is made): { index, value }, or null when every value is finite.
 */
export function firstNonFinite(file: string, dataStart: number, name: string, e: HeaderEntry): { index: number; value: number } | null {
  if (e.dtype !== "F32" && e.dtype !== "F16" && e.dtype !== "BF16") throw new Error(`internal: firstNonFinite on ${e.dtype}`);
  const size = BYTES[e.dtype], mask = EXPONENT_MASK[e.dtype];
  const total = e.data_offsets[1] - e.data_offsets[0];
  const chunk = new Uint8Array(Math.min(total, (8 << 20) - ((8 << 20) % size)) || size);
  const fd = openSync(file, "r");
  try {
    for (let at = 0; at < total; at += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, total - at));
      readExactly(fd, file, part, dataStart + e.data_offsets[0] + at, `tensor '${name}'`);
      if (!anyExponentAllOnes(part, size as 2 | 4, mask)) continue; // part starts the chunk: 4-byte aligned
      // Rare: find which value it was, one element at a time.
      const words = size === 4 ? new Uint32Array(part.buffer, 0, part.length / 4) : new Uint16Array(part.buffer, 0, part.length / 2);
      for (let i = 0; i < words.length; i++)
        if ((words[i] & mask) === mask) return { index: at / size + i, value: toFloat32(e.dtype, part.subarray(i * size, (i + 1) * size))[0] };
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether any float in `bytes` (element size 2 or 4, its exponent bits `mask`) is Inf or NaN, reading the bytes as
 * 32-bit words (two 16-bit floats each) without a branch per element: for one element's exponent field x = bits &
 * mask, x + (mask's lowest bit) carries into the element's sign bit exactly when x == mask; the sums are OR-ed up
 * (four accumulators, independent chains: 2× faster than one) and their sign bits read once. A 16-GB checkpoint is
 * checked at every load, so this loop is the load's cost (README "Real-size checkpoints"). `bytes` must start
 * 4-byte aligned.
 */
export function anyExponentAllOnes(bytes: Uint8Array, size: 2 | 4, mask: number): boolean {
  if (bytes.byteOffset % 4) throw new Error("internal: anyExponentAllOnes needs 4-byte aligned bytes");
  const low = mask & -mask;
  const m = size === 4 ? mask : mask | (mask << 16), add = size === 4 ? low : low | (low << 16), sign = size === 4 ? 0x80000000 : 0x80008000;
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let a = 0, b = 0, c = 0, d = 0;
  const n4 = w.length & ~3;
  for (let i = 0; i < n4; i += 4) {
    a |= (w[i] & m) + add; b |= (w[i + 1] & m) + add; c |= (w[i + 2] & m) + add; d |= (w[i + 3] & m) + add;
  }
  for (let i = n4; i < w.length; i++) a |= (w[i] & m) + add;
  if (((a | b | c | d) & sign) !== 0) return true;
  // A 16-bit tensor of odd length leaves one element after the last whole word.
  if (size === 2 && bytes.length % 4 === 2) return ((bytes[bytes.length - 2] | (bytes[bytes.length - 1] << 8)) & mask) === mask;
  return false;
}
