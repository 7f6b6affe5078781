import {
  floatTensor,
  int64Tensor,
  type AttributeValue,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from "./onnx-proto.ts";

/**
 * Builds an ONNX graph one op at a time: each op's outputs get fresh names under the current
 * scope, so a forward pass reads like the math it encodes.
 */
export type GraphBuilder = {
  /** Adds a node and returns its output names (one per requested output). */
  op(
    opType: string,
    inputs: string[],
    attributes?: Record<string, AttributeValue>,
    outputCount?: number,
  ): string[];
  /** A float32 initializer; returns its name. */
  float(name: string, dims: readonly number[], values: Float32Array): string;
  /** An int64 initializer (shapes, axes, split sizes), deduplicated by value; returns its name. */
  int64(values: readonly number[], dims?: readonly number[]): string;
  /** Exposes `from` under the fixed name `name` (an Identity node, which runtimes drop). */
  rename(from: string, name: string): string;
  /** Runs `build` with node names prefixed by `name/`. */
  scope<T>(name: string, build: () => T): T;
  finish(inputs: OnnxValueInfo[], outputs: OnnxValueInfo[], name: string): OnnxGraph;
};

export function createGraphBuilder(): GraphBuilder {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const int64s = new Map<string, string>();
  const scopes: string[] = [];
  let counter = 0;
  const prefix = () => (scopes.length > 0 ? `${scopes.join("/")}/` : "");

  return {
    op(opType, inputs, attributes, outputCount = 1) {
      const name = `${prefix()}${opType}_${counter++}`;
      const outputs = Array.from({ length: outputCount }, (_, i) => `${name}:${i}`);
      nodes.push({ opType, inputs, outputs, name, ...(attributes ? { attributes } : {}) });
      return outputs;
    },
    float(name, dims, values) {
      initializers.push(floatTensor(name, dims, values));
      return name;
    },
    int64(values, dims = [values.length]) {
      const key = `${dims.join("x")}:${values.join(",")}`;
      let name = int64s.get(key);
      if (name === undefined) {
        name = `const_i64_${int64s.size}`;
        int64s.set(key, name);
        initializers.push(int64Tensor(name, dims, values));
      }
      return name;
    },
    rename(from, name) {
      nodes.push({ opType: "Identity", inputs: [from], outputs: [name], name: `${name}/Identity` });
      return name;
    },
    scope(name, build) {
      scopes.push(name);
      try {
        return build();
      } finally {
        scopes.pop();
      }
    },
    finish(inputs, outputs, name) {
      return { name, nodes, initializers, inputs, outputs };
    },
  };
}
