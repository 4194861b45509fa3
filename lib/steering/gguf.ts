/**
 * A minimal GGUF (v3) container reader/writer — enough for control vectors, not for models.
 * Layout (all little-endian):
 *   "GGUF" magic, u32 version (3), u64 tensor count, u64 metadata count;
 *   metadata: string key (u64 length + UTF-8 bytes), u32 value type, value
 *     (types 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array = u32 item type +
 *     u64 count + items, 10 u64, 11 i64, 12 f64);
 *   tensor infos: string name, u32 n_dims, u64 dims[n_dims] (ggml order: fastest-varying first, i.e. the
 *     reverse of a row-major shape), u32 ggml type (0 = F32), u64 offset within the data section;
 *   padding to `general.alignment` (default 32, a power of 2), then the data section: each tensor at the
 *   running sum of the previous tensors' sizes padded to the alignment — the last one padded too, since
 *   ggml's gguf reader loads the section as one blob of that total size and rejects other offsets.
 * Only F32 tensors are read or written.
 */
export type GgufType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "bool" | "string" | "array" | "u64" | "i64" | "f64";
const TYPE_CODES: GgufType[] = ["u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"];

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue =
  | { type: Exclude<GgufType, "array">; value: GgufScalar }
  | { type: "array"; itemType: Exclude<GgufType, "array">; value: GgufScalar[] };

export interface GgufTensor {
  /** Row-major shape (the reverse of GGUF's dims). */
  shape: number[];
  data: Float32Array;
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: Map<string, GgufTensor>;
}

const GGML_F32 = 0;
const DEFAULT_ALIGNMENT = 32;
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const isPowerOfTwo = (a: unknown): a is number => typeof a === "number" && Number.isInteger(a) && a >= 1 && (a & (a - 1)) === 0;

// ---------------------------------------------------------------------------------------------- writing

class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;
  private push(bytes: Uint8Array): void { this.chunks.push(bytes); this.length += bytes.length; }
  private view(n: number, fill: (dv: DataView) => void): void {
    const b = new Uint8Array(n);
    fill(new DataView(b.buffer));
    this.push(b);
  }
  u8(x: number) { this.view(1, (d) => d.setUint8(0, x)); }
  i8(x: number) { this.view(1, (d) => d.setInt8(0, x)); }
  u16(x: number) { this.view(2, (d) => d.setUint16(0, x, true)); }
  i16(x: number) { this.view(2, (d) => d.setInt16(0, x, true)); }
  u32(x: number) { this.view(4, (d) => d.setUint32(0, x, true)); }
  i32(x: number) { this.view(4, (d) => d.setInt32(0, x, true)); }
  f32(x: number) { this.view(4, (d) => d.setFloat32(0, x, true)); }
  f64(x: number) { this.view(8, (d) => d.setFloat64(0, x, true)); }
  u64(x: number | bigint) { this.view(8, (d) => d.setBigUint64(0, BigInt(x), true)); }
  i64(x: number | bigint) { this.view(8, (d) => d.setBigInt64(0, BigInt(x), true)); }
  string(s: string) { const b = new TextEncoder().encode(s); this.u64(b.length); this.push(b); }
  bytes(b: Uint8Array) { this.push(b); }
  pad(to: number) { if (to > this.length) this.push(new Uint8Array(to - this.length)); }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

function writeScalar(w: ByteWriter, type: Exclude<GgufType, "array">, v: GgufScalar, key: string): void {
  const num = (): number => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`gguf: metadata '${key}' of type ${type} needs a finite number (got ${String(v)})`);
    return v;
  };
  switch (type) {
    case "u8": return w.u8(num());
    case "i8": return w.i8(num());
    case "u16": return w.u16(num());
    case "i16": return w.i16(num());
    case "u32": return w.u32(num());
    case "i32": return w.i32(num());
    case "f32": return w.f32(num());
    case "f64": return w.f64(num());
    case "u64": return w.u64(typeof v === "bigint" ? v : num());
    case "i64": return w.i64(typeof v === "bigint" ? v : num());
    case "bool": return w.u8(v ? 1 : 0);
    case "string":
      if (typeof v !== "string") throw new Error(`gguf: metadata '${key}' of type string needs a string`);
      return w.string(v);
  }
}

/** Serialise metadata and F32 tensors (in the given order) as GGUF v3. */
export function encodeGguf(metadata: ReadonlyMap<string, GgufValue>, tensors: ReadonlyMap<string, GgufTensor>): Uint8Array {
  const alignment = metadata.get("general.alignment")?.value ?? DEFAULT_ALIGNMENT;
  if (!isPowerOfTwo(alignment)) throw new Error(`gguf: general.alignment must be a power of 2 (got ${String(alignment)})`);
  const w = new ByteWriter();
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(3);
  w.u64(tensors.size);
  w.u64(metadata.size);
  for (const [key, v] of metadata) {
    w.string(key);
    w.u32(TYPE_CODES.indexOf(v.type));
    if (v.type === "array") {
      w.u32(TYPE_CODES.indexOf(v.itemType));
      w.u64(v.value.length);
      for (const x of v.value) writeScalar(w, v.itemType, x, key);
    } else {
      writeScalar(w, v.type, v.value, key);
    }
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`gguf: tensor '${name}' shape [${t.shape}] does not match its ${t.data.length} values`);
    w.string(name);
    w.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) w.u64(d);
    w.u32(GGML_F32);
    w.u64(offset);
    offsets.push(offset);
    offset = alignUp(offset + t.data.byteLength, alignment);
  }
  const dataStart = alignUp(w.length, alignment);
  w.pad(dataStart);
  [...tensors.values()].forEach((t, i) => {
    w.pad(dataStart + offsets[i]);
    const le = new Uint8Array(t.data.byteLength);
    const dv = new DataView(le.buffer);
    t.data.forEach((x, k) => dv.setFloat32(4 * k, x, true));
    w.bytes(le);
  });
  // ggml reads the data section as one blob of Σ padded tensor sizes: the last tensor is padded too.
  w.pad(dataStart + offset);
  return w.concat();
}

// ---------------------------------------------------------------------------------------------- reading

class ByteReader {
  at = 0;
  private readonly dv: DataView;
  constructor(private readonly b: Uint8Array, private readonly file: string) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number, what: string): number {
    if (this.at + n > this.b.length) throw new Error(`${this.file}: truncated GGUF file (reading ${what} at byte ${this.at})`);
    const at = this.at;
    this.at += n;
    return at;
  }
  u32(what: string) { return this.dv.getUint32(this.need(4, what), true); }
  u64(what: string): number {
    const v = this.dv.getBigUint64(this.need(8, what), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${this.file}: ${what} is implausibly large (${v})`);
    return Number(v);
  }
  string(what: string): string {
    const n = this.u64(`${what} length`);
    const at = this.need(n, what);
    return new TextDecoder("utf-8", { fatal: true }).decode(this.b.subarray(at, at + n));
  }
  scalar(type: Exclude<GgufType, "array">, what: string): GgufScalar {
    const dv = this.dv;
    switch (type) {
      case "u8": return dv.getUint8(this.need(1, what));
      case "i8": return dv.getInt8(this.need(1, what));
      case "u16": return dv.getUint16(this.need(2, what), true);
      case "i16": return dv.getInt16(this.need(2, what), true);
      case "u32": return dv.getUint32(this.need(4, what), true);
      case "i32": return dv.getInt32(this.need(4, what), true);
      case "f32": return dv.getFloat32(this.need(4, what), true);
      case "f64": return dv.getFloat64(this.need(8, what), true);
      case "u64": return dv.getBigUint64(this.need(8, what), true);
      case "i64": return dv.getBigInt64(this.need(8, what), true);
      case "bool": return dv.getUint8(this.need(1, what)) !== 0;
      case "string": return this.string(what);
    }
  }
  type(what: string): GgufType {
    const code = this.u32(what);
    const t = TYPE_CODES[code];
    if (t === undefined) throw new Error(`${this.file}: ${what} has unknown GGUF value type ${code}`);
    return t;
  }
  f32array(at: number, n: number, what: string): Float32Array {
    if (at + 4 * n > this.b.length) throw new Error(`${this.file}: ${what} runs past the end of the file`);
    return Float32Array.from({ length: n }, (_, i) => this.dv.getFloat32(at + 4 * i, true));
  }
}

export function decodeGguf(bytes: Uint8Array, file: string): GgufFile {
  const r = new ByteReader(bytes, file);
  if (bytes.length < 4 || new TextDecoder().decode(bytes.subarray(0, 4)) !== "GGUF") throw new Error(`${file}: not a GGUF file (missing "GGUF" magic)`);
  r.at = 4;
  const version = r.u32("version");
  if (version !== 2 && version !== 3) throw new Error(`${file}: GGUF version ${version} is not supported (expected 2 or 3)`);
  const nTensors = r.u64("tensor count"), nKv = r.u64("metadata count");
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < nKv; i++) {
    const key = r.string(`metadata key ${i}`);
    const type = r.type(`metadata '${key}'`);
    if (type === "array") {
      const itemType = r.type(`metadata '${key}' item type`);
      if (itemType === "array") throw new Error(`${file}: metadata '${key}' is a nested array (not supported)`);
      const n = r.u64(`metadata '${key}' count`);
      metadata.set(key, { type, itemType, value: Array.from({ length: n }, () => r.scalar(itemType, `metadata '${key}'`)) });
    } else {
      metadata.set(key, { type, value: r.scalar(type, `metadata '${key}'`) });
    }
  }
  const alignment = metadata.get("general.alignment")?.value ?? DEFAULT_ALIGNMENT;
  if (!isPowerOfTwo(alignment)) throw new Error(`${file}: general.alignment must be a power of 2 (got ${String(alignment)})`);
  const infos: { name: string; dims: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = r.string(`tensor name ${i}`);
    const nDims = r.u32(`tensor '${name}' n_dims`);
    const dims = Array.from({ length: nDims }, () => r.u64(`tensor '${name}' dims`));
    const type = r.u32(`tensor '${name}' type`);
    const offset = r.u64(`tensor '${name}' offset`);
    if (offset % alignment !== 0) throw new Error(`${file}: tensor '${name}' offset ${offset} is not a multiple of the alignment ${alignment}`);
    infos.push({ name, dims, type, offset });
  }
  const dataStart = alignUp(r.at, alignment);
  const tensors = new Map<string, GgufTensor>();
  for (const t of infos) {
    if (t.type !== GGML_F32) throw new Error(`${file}: tensor '${t.name}' has ggml type ${t.type}; only F32 (0) is supported`);
    const n = t.dims.reduce((a, b) => a * b, 1);
    tensors.set(t.name, { shape: [...t.dims].reverse(), data: r.f32array(dataStart + t.offset, n, `tensor '${t.name}'`) });
  }
  return { version, metadata, tensors };
}
