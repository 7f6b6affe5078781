import { endianness } from "node:os";

/**
 * Writes an ONNX ModelProto: the few messages and fields of onnx.proto a plain inference graph
 * needs, encoded by hand in protobuf's wire format (varints and length-delimited fields). Writing
 * only, from values we build ourselves, is small enough that a protobuf library would add a
 * dependency without saving code. Large byte fields (weights) are kept as references until the
 * final buffer is assembled, so every weight is copied once. Field numbers and enum values are
 * those of onnx.proto in the ONNX IR specification.
 */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

export type OnnxTensor = {
  name: string;
  dataType: DataType;
  dims: readonly number[];
  /** Little-endian element bytes (TensorProto.raw_data). */
  raw: Uint8Array;
};

export type AttributeValue = { int: number } | { float: number } | { ints: readonly number[] };

export type OnnxNode = {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
};

/** A graph input or output: a tensor type whose dimensions are sizes or symbolic names. */
export type OnnxValueInfo = {
  name: string;
  elemType: DataType;
  shape: readonly (number | string)[];
};

export type OnnxGraph = {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
};

export type OnnxModel = {
  graph: OnnxGraph;
  /** Version of the default ("ai.onnx") operator set. */
  opset: number;
  irVersion: number;
  producerName: string;
};

// Wire types.
const VARINT = 0;
const FIXED32 = 5;
const LENGTH_DELIMITED = 2;

/** An encoded message as a list of byte runs, so nested messages need no copying. */
type Encoded = { parts: Uint8Array[]; size: number };

function createMessage() {
  const out: Encoded = { parts: [], size: 0 };
  const push = (bytes: Uint8Array) => {
    out.parts.push(bytes);
    out.size += bytes.length;
  };
  const key = (field: number, wireType: number) => push(varint(BigInt((field << 3) | wireType)));
  const bytes = (field: number, value: Uint8Array) => {
    key(field, LENGTH_DELIMITED);
    push(varint(BigInt(value.length)));
    push(value);
  };
  return {
    int(field: number, value: number) {
      key(field, VARINT);
      // int64/int32 fields: negative values are sign-extended to 64 bits (ten bytes).
      push(varint(BigInt.asUintN(64, BigInt(value))));
    },
    float(field: number, value: number) {
      key(field, FIXED32);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, value, true);
      push(bytes);
    },
    bytes,
    string: (field: number, value: string) => bytes(field, Buffer.from(value, "utf8")),
    message(field: number, child: Encoded) {
      key(field, LENGTH_DELIMITED);
      push(varint(BigInt(child.size)));
      for (const part of child.parts) push(part);
    },
    done: () => out,
  };
}

function varint(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return Uint8Array.from(bytes);
}

function encodeTensor(tensor: OnnxTensor): Encoded {
  const m = createMessage();
  for (const dim of tensor.dims) m.int(1, dim);
  m.int(2, tensor.dataType);
  m.string(8, tensor.name);
  m.bytes(9, tensor.raw);
  return m.done();
}

const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

function encodeAttribute(name: string, value: AttributeValue): Encoded {
  const m = createMessage();
  m.string(1, name);
  if ("int" in value) {
    m.int(3, value.int);
    m.int(20, AttributeType.INT);
  } else if ("float" in value) {
    m.float(2, value.float);
    m.int(20, AttributeType.FLOAT);
  } else {
    for (const i of value.ints) m.int(8, i);
    m.int(20, AttributeType.INTS);
  }
  return m.done();
}

function encodeNode(node: OnnxNode): Encoded {
  const m = createMessage();
  for (const input of node.inputs) m.string(1, input);
  for (const output of node.outputs) m.string(2, output);
  if (node.name !== undefined) m.string(3, node.name);
  m.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    m.message(5, encodeAttribute(name, value));
  }
  return m.done();
}

function encodeValueInfo(info: OnnxValueInfo): Encoded {
  const shape = createMessage();
  for (const dim of info.shape) {
    const d = createMessage();
    if (typeof dim === "number") d.int(1, dim);
    else d.string(2, dim);
    shape.message(1, d.done());
  }
  const tensorType = createMessage();
  tensorType.int(1, info.elemType);
  tensorType.message(2, shape.done());
  const type = createMessage();
  type.message(1, tensorType.done());
  const m = createMessage();
  m.string(1, info.name);
  m.message(2, type.done());
  return m.done();
}

function encodeGraph(graph: OnnxGraph): Encoded {
  const m = createMessage();
  for (const node of graph.nodes) m.message(1, encodeNode(node));
  m.string(2, graph.name);
  for (const tensor of graph.initializers) m.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) m.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) m.message(12, encodeValueInfo(output));
  return m.done();
}

/** The serialized ModelProto, ready for an ONNX runtime. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const opset = createMessage();
  opset.string(1, "");
  opset.int(2, model.opset);
  const m = createMessage();
  m.int(1, model.irVersion);
  m.string(2, model.producerName);
  m.message(7, encodeGraph(model.graph));
  m.message(8, opset.done());
  const { parts, size } = m.done();
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Initializers from typed arrays: their bytes as they are, little-endian on the hosts we run on. */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array) {
  return tensorOf(name, DataType.FLOAT, dims, values);
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]) {
  return tensorOf(
    name,
    DataType.INT64,
    dims,
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
}

function tensorOf(
  name: string,
  dataType: DataType,
  dims: readonly number[],
  values: Float32Array | BigInt64Array,
): OnnxTensor {
  if (endianness() !== "LE") throw new Error("raw tensor data is little-endian");
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new Error(`${name}: ${values.length} values for shape [${dims.join(", ")}]`);
  }
  return {
    name,
    dataType,
    dims,
    raw: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}
