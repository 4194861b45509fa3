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

export interface InitializerData {
  dtype: ElemType;
  dims: number[];
  /** Little-endian bytes of the tensor (float32, uint8 or int64). */
  bytes: Uint8Array;
}

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

  /** A float32 initializer (shared by name: adding the same name twice is an error). */
  float(name: string, dims: number[], data: Float32Array): string {
    return this.addInit(name, { dtype: "float", dims, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }

  /** A uint8 initializer (packed quantized weights). */
  uint8(name: string, dims: number[], data: Uint8Array): string {
    return this.addInit(name, { dtype: "uint8", dims, bytes: data });
  }

  /** An int64 constant (shapes, axes, indices). */
  int64(values: number[], dims: number[] = [values.length], name?: string): string {
    const n = name ?? `const_i64_${this.counter++}`;
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    return this.addInit(n, { dtype: "int64", dims, bytes: new Uint8Array(data.buffer) });
  }

  /** A float32 scalar constant (rank 0). */
  scalar(value: number): string {
    return this.addInit(`const_f32_${this.counter++}`, { dtype: "float", dims: [], bytes: new Uint8Array(new Float32Array([value]).buffer) });
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

  private addInit(name: string, data: InitializerData): string {
    if (this.initializers.has(name)) throw new Error(`onnx graph: initializer '${name}' defined twice`);
    this.initializers.set(name, data);
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
 * Which initializers are weights that belong in the shared file: the named, larger ones. Small constants
 * (`const_*`, numbered per graph, so the same name can hold different values in two variants) stay inline.
 */
const isShared = (name: string, t: InitializerData): boolean => !name.startsWith("const_") && t.bytes.byteLength >= SHARED_MIN_BYTES;
const SHARED_MIN_BYTES = 1024;

/**
 * The shared data file of a graph (built from the variant holding every weight): its chunks, 64-byte aligned as
 * ONNX's own external-data writer does, and its index. Written once per checkpoint; every variant then refers to it.
 */
export function layoutShared(b: GraphBuilder): { chunks: Uint8Array[]; index: SharedIndex } {
  const chunks: Uint8Array[] = [];
  const index: SharedIndex = {};
  let offset = 0;
  for (const [name, t] of b.initializers) {
    if (!isShared(name, t)) continue;
    const padding = (64 - (offset % 64)) % 64;
    if (padding) chunks.push(new Uint8Array(padding));
    offset += padding;
    chunks.push(t.bytes);
    index[name] = { offset, length: t.bytes.byteLength };
    offset += t.bytes.byteLength;
  }
  return { chunks, index };
}

/** Serialise the graph to ModelProto bytes; with shared placement its weights are (offset, length) references. */
export function serializeModel(b: GraphBuilder, placement: InitializerPlacement): Uint8Array {
  const initializer = [...b.initializers].map(([name, t]) => {
    const base = { name, dims: t.dims, dataType: DTYPE[t.dtype] };
    if (placement.kind === "inline" || !isShared(name, t)) return onnx.TensorProto.create({ ...base, rawData: t.bytes });
    const at = placement.index[name];
    // A weight the shared file lacks (or of another size) is a graph-builder bug: a variant used a weight the
    // full graph does not, or built it differently.
    if (!at || at.length !== t.bytes.byteLength)
      throw new Error(`internal: initializer '${name}' (${t.bytes.byteLength} bytes) is ${at ? `${at.length} bytes` : "missing"} in the shared weight file ${placement.fileName}`);
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
