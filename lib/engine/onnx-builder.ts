import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/**
 * A small typed layer over onnx-proto (protobufjs 6) for writing graphs as code: `b.op("MatMul", [a, w])`
 * returns the output's name, so a graph reads like the maths it computes. Knows nothing about transformers.
 */
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

export const DTYPE = { float: 1, uint8: 2, int64: 7, bool: 9 } as const;
export type ElemType = keyof typeof DTYPE;

/** A dimension: a number, or a symbolic name ("batch"). */
export type Dim = number | string;

/** Bytes per element of each initializer dtype. */
const ELEM_BYTES: Record<ElemType, number> = { float: 4, uint8: 1, int64: 8, bool: 1 };

export interface InitializerData {
  dtype: ElemType;
  dims: number[];
  /** prod(dims) × the element size: known without the data. */
  byteLength: number;
  /**
   * Little-endian bytes of the tensor (float32, uint8 or int64), or a function that makes them: a weight is read
   * from the checkpoint (and quantized) only when its bytes are written, so a build holds one weight at a time, and
   * a variant graph that only refers into the shared weight file never reads it.
   */
  bytes: Uint8Array | (() => Uint8Array);
  /** Set on a view (GraphBuilder.rowsOf): bytes [byteOffset, byteOffset + byteLength) of another initializer. */
  view?: { of: string; byteOffset: number };
}

/** The initializer's bytes, made now if they were deferred (checked against the declared size). */
export function initializerBytes(name: string, t: InitializerData): Uint8Array {
  const bytes = typeof t.bytes === "function" ? t.bytes() : t.bytes;
  if (bytes.byteLength !== t.byteLength) throw new Error(`internal: initializer '${name}' made ${bytes.byteLength} bytes, declared ${t.byteLength}`);
  return bytes;
}

const f32Bytes = (d: Float32Array) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

export class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly initializers = new Map<string, InitializerData>();
  readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter = 0;

  /** Add a node; returns its output names (`outputs` of them, named from `name` when given). */
  opN(opType: string, inputs: string[], outputs: number, attrs: Record<string, AttrValue> = {}, domain = "", name?: string): string[] {
    const base = name ?? `${opType}_${this.counter++}`;
    const outs = outputs === 1 ? [base] : Array.from({ length: outputs }, (_, i) => `${base}:${i}`);
    this.nodes.push(onnx.NodeProto.create({
      opType, domain, name: `n/${base}`, input: inputs, output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    }));
    return outs;
  }

  /** Add a single-output node; returns the output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = "", name?: string): string {
    return this.opN(opType, inputs, 1, attrs, domain, name)[0];
  }

  /** A float32 initializer, its data now or deferred (shared by name: adding the same name twice is an error). */
  float(name: string, dims: number[], data: Float32Array | (() => Float32Array)): string {
    return this.addInit(name, "float", dims, typeof data === "function" ? () => f32Bytes(data()) : f32Bytes(data));
  }

  /** A uint8 initializer (packed quantized weights), now or deferred. */
  uint8(name: string, dims: number[], data: Uint8Array | (() => Uint8Array)): string {
    return this.addInit(name, "uint8", dims, data);
  }

  /**
   * Rows [start, start + count) of the 2-D initializer `of` (defined before) as an initializer of its own: in a shared
   * weight file a reference into `of`'s bytes (no copy on disk; onnxruntime maps and prepacks it apart from the rest),
   * inline a copy of those rows (each view then makes its original's bytes once more: inline graphs are for small
   * in-memory models).
   */
  rowsOf(name: string, of: string, start: number, count: number): string {
    const t = this.initializers.get(of);
    if (!t || t.dims.length !== 2 || t.view) throw new Error(`onnx graph: rows of '${of}': expected a 2-D initializer defined before (not a view)`);
    const [rows, cols] = t.dims;
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count > 0 && start + count <= rows))
      throw new Error(`onnx graph: rows [${start}, ${start + count}) of '${of}', which has ${rows}`);
    const rowBytes = ELEM_BYTES[t.dtype] * cols, byteOffset = start * rowBytes;
    this.addInit(name, t.dtype, [count, cols], () => initializerBytes(of, t).subarray(byteOffset, byteOffset + count * rowBytes));
    this.initializers.get(name)!.view = { of, byteOffset };
    return name;
  }

  /** An int64 constant (shapes, axes, indices). */
  int64(values: number[], dims: number[] = [values.length], name?: string): string {
    const n = name ?? `const_i64_${this.counter++}`;
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    return this.addInit(n, "int64", dims, new Uint8Array(data.buffer));
  }

  /** A float32 scalar constant (rank 0). */
  scalar(value: number): string {
    return this.addInit(`const_f32_${this.counter++}`, "float", [], f32Bytes(new Float32Array([value])));
  }

  input(name: string, dtype: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** Declare `tensor` as a graph output called `name` (an Identity is inserted when the names differ). */
  output(name: string, tensor: string, dtype: ElemType, dims: Dim[]): void {
    if (tensor !== name) this.op("Identity", [tensor], {}, "", name);
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  private addInit(name: string, dtype: ElemType, dims: number[], bytes: InitializerData["bytes"]): string {
    if (this.initializers.has(name)) throw new Error(`onnx graph: initializer '${name}' defined twice`);
    const byteLength = ELEM_BYTES[dtype] * dims.reduce((a, d) => a * d, 1);
    this.initializers.set(name, { dtype, dims, byteLength, bytes });
    return name;
  }
}

function attribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === "number") return onnx.AttributeProto.create({ name, type: T.INT, i: v });
  if (typeof v === "string") return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if ("float" in v) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
  return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: v.floats });
}

function valueInfo(name: string, dtype: ElemType, dims: Dim[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: DTYPE[dtype], shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/** Where one initializer's bytes live in a shared external-data file. */
export interface SharedEntry { offset: number; length: number }
/** Initializer name → its place in the shared data file (the file's table of contents). */
export type SharedIndex = Record<string, SharedEntry>;

/**
 * Where initializer bytes go: inside the model, or referenced into one external data file that every graph
 * variant of a checkpoint shares ("shared": `index` says where each weight is; see layoutShared).
 */
export type InitializerPlacement = { kind: "inline" } | { kind: "shared"; fileName: string; index: SharedIndex };

/**
 * Which initializers are weights that belong in the shared file: every named one, however small (so a variant
 * graph refers to all of them and reads none). Small constants (`const_*`, numbered per graph, so the same name can
 * hold different values in two variants) stay inline.
 */
const isShared = (name: string): boolean => !name.startsWith("const_");

/**
 * The shared data file of a graph (built from the variant holding every weight): its index, computed from the
 * declared sizes alone, and its chunks, 64-byte aligned as ONNX's own external-data writer does, made one weight at
 * a time as the writer asks for them; views have no entry of their own. Written once per checkpoint; every variant then refers to it. It holds every
 * named initializer, also one no node reads (the embedding of an untied model, which the host reads: ./embedding).
 */
export function layoutShared(b: GraphBuilder): { chunks: Iterable<Uint8Array>; index: SharedIndex } {
  const index: SharedIndex = {};
  const order: [string, InitializerData, number][] = []; // name, data, padding before it
  let offset = 0;
  for (const [name, t] of b.initializers) {
    if (!isShared(name) || t.view) continue; // a view is a range of its original's entry (serializeModel)
    const padding = (64 - (offset % 64)) % 64;
    offset += padding;
    index[name] = { offset, length: t.byteLength };
    order.push([name, t, padding]);
    offset += t.byteLength;
  }
  function* chunks(): Iterable<Uint8Array> {
    for (const [name, t, padding] of order) {
      if (padding) yield new Uint8Array(padding);
      yield initializerBytes(name, t);
    }
  }
  return { chunks: chunks(), index };
}

/**
 * Serialise the graph to ModelProto bytes; with shared placement its weights are (offset, length) references. Only
 * initializers some node reads are listed: onnxruntime maps every listed external initializer.
 */
export function serializeModel(b: GraphBuilder, placement: InitializerPlacement): Uint8Array {
  const read = new Set(b.nodes.flatMap((n) => n.input ?? []));
  const initializer = [...b.initializers].filter(([name]) => read.has(name)).map(([name, t]) => {
    const base = { name, dims: t.dims, dataType: DTYPE[t.dtype] };
    if (placement.kind === "inline" || !isShared(name)) return onnx.TensorProto.create({ ...base, rawData: initializerBytes(name, t) });
    const whole = placement.index[t.view?.of ?? name];
    // A view's range, cut at its original's end (so a view past it is caught below as too short).
    const at = whole && t.view ? { offset: whole.offset + t.view.byteOffset, length: Math.min(t.byteLength, whole.length - t.view.byteOffset) } : whole;
    // A weight the shared file lacks (or of another size) is a graph-builder bug: a variant used a weight the
    // full graph does not, or built it differently.
    if (!at || at.length !== t.byteLength)
      throw new Error(`internal: initializer '${name}' (${t.byteLength} bytes) is ${at ? `${at.length} bytes` : "missing"} in the shared weight file ${placement.fileName}`);
    return onnx.TensorProto.create({
      ...base,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: "location", value: placement.fileName },
        { key: "offset", value: String(at.offset) },
        { key: "length", value: String(at.length) },
      ],
    });
  });
  const graph = onnx.GraphProto.create({ name: "steersynth", node: b.nodes, initializer, input: b.inputs, output: b.outputs });
  const model = onnx.ModelProto.create({
    // IR 10 / opset 21: Gelu(approximate) needs opset ≥ 20; ORT 1.30 reads IR ≤ 11.
    irVersion: 10,
    opsetImport: [{ domain: "", version: 21 }, { domain: "com.microsoft", version: 1 }],
    producerName: "steersynth",
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
