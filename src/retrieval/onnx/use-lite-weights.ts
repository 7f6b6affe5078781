import type { TfjsWeights } from "./tfjs-weights.ts";

/**
 * USE-lite's parameters picked out of its TF.js weights by name, with the shapes the ONNX graph
 * uses (the 1x1 convolution kernels [1, 1, in, out] become matrices [in, out]). Names are the
 * converted TF graph's; the three prefixes are the module's variables, the values it computes
 * from them, and the per-layer constants of its transformer stack.
 */
export type Param = { name: string; dims: number[]; values: Float32Array };
export type Linear = { kernel: Param; bias: Param };
export type Norm = { scale: Param; bias: Param };

export type UseLiteLayer = {
  attentionNorm: Norm;
  /** Layer 0 widens its input (256 -> 512) and projects the residual to match; layer 1 does not. */
  residual: Linear | null;
  qkv: Linear;
  heads: number;
  headDim: number;
  /** Multiplies the queries: 1 / sqrt(headDim). */
  queryScale: number;
  output: Linear;
  ffnNorm: Norm;
  ffnIn: Linear;
  ffnOut: Linear;
};

export type UseLiteParams = {
  embeddings: Param;
  /** The timing signal's frequencies [1, half of the embedding width]. */
  inverseTimescales: Float32Array;
  /** Token positions at or past this are dropped (ClipToMaxLength). */
  maxTokens: number;
  /** Layer normalisation's epsilon. */
  epsilon: number;
  layers: UseLiteLayer[];
  tanh: Linear;
  /** The final l2 normalisation's floor on the squared norm. */
  l2Epsilon: number;
};

const MODULE = "module/Encoder_en";
const APPLY = "module_apply_default/Encoder_en";
const ENCODE = `${APPLY}/KonaTransformer/Encode`;
const STACK = `${ENCODE}/TransformerStack`;
const CONCAT = "ConcatPartitions/concat";

export function readUseLiteParams(weights: TfjsWeights): UseLiteParams {
  const get = (name: string) => {
    const weight = weights.get(name);
    if (!weight) throw new Error(`USE-lite weight missing: ${name}`);
    return weight;
  };
  const scalar = (name: string) => get(name).values[0]!;
  const param = (name: string, dims = get(name).shape): Param => {
    const { values, shape } = get(name);
    if (!(values instanceof Float32Array)) throw new Error(`${name} is not float32`);
    if (dims.reduce((a, b) => a * b, 1) !== values.length) {
      throw new Error(`${name}: shape [${shape.join(", ")}] cannot be [${dims.join(", ")}]`);
    }
    return { name, dims, values };
  };
  /** A 1x1 convolution kernel [1, 1, in, out] as the matrix [in, out]. */
  const matrix = (name: string) => param(name, get(name).shape.slice(-2));

  const layers: UseLiteLayer[] = [];
  const variables = (i: number) => `${MODULE}/KonaTransformer/Encode/Layer_${i}/TransformerLayer`;
  const qkvKernel = (i: number) =>
    `${variables(i)}/MultiheadAttention/qkv_transform_single/kernel/part_0`;
  for (let i = 0; weights.has(qkvKernel(i)); i++) {
    const vars = variables(i);
    const own = `${ENCODE}/Layer_${i}/TransformerLayer`;
    const stack = `${STACK}/Layer_${i}/TransformerLayer`;
    const norm = (prefix: string): Norm => ({
      scale: param(`${prefix}/layer_norm_scale/${CONCAT}`),
      bias: param(`${prefix}/layer_norm_bias/${CONCAT}`),
    });
    const qkv = {
      kernel: matrix(qkvKernel(i)),
      bias: param(`${own}/MultiheadAttention/qkv_transform_single/bias/${CONCAT}`),
    };
    const headDim = scalar(
      `${stack}/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`,
    );
    layers.push({
      attentionNorm: norm(`${own}/layer_prepostprocess/layer_norm`),
      residual: weights.has(`${own}/dense/kernel/${CONCAT}`)
        ? {
            kernel: param(`${own}/dense/kernel/${CONCAT}`),
            bias: param(`${own}/dense/bias/${CONCAT}`),
          }
        : null,
      qkv,
      heads: qkv.kernel.dims[1]! / 3 / headDim,
      headDim,
      queryScale: scalar(`${stack}/MultiheadAttention/mul/y`),
      output: {
        kernel: matrix(`${vars}/MultiheadAttention/output_transform_single/kernel/part_0`),
        bias: param(`${own}/MultiheadAttention/output_transform_single/bias/${CONCAT}`),
      },
      ffnNorm: norm(`${own}/FFN/layer_prepostprocess/layer_norm`),
      ffnIn: {
        kernel: param(`${stack}/FFN/conv1/Tensordot/Reshape_1`),
        bias: param(`${own}/FFN/conv1/bias/${CONCAT}`),
      },
      ffnOut: {
        kernel: param(`${stack}/FFN/conv2/Tensordot/Reshape_1`),
        bias: param(`${own}/FFN/conv2/bias/${CONCAT}`),
      },
    });
  }
  if (layers.length === 0) throw new Error("USE-lite weights hold no transformer layer");

  return {
    embeddings: param("module/Embeddings_en"),
    inverseTimescales: param(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`).values,
    maxTokens: scalar(`${APPLY}/KonaTransformer/ClipToMaxLength/Less/y`),
    // One constant serves every layer norm of the converted graph.
    epsilon: scalar(`${STACK}/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`),
    layers,
    tanh: {
      kernel: param(`${MODULE}/hidden_layers/tanh_layer_0/weights`),
      bias: param(`${MODULE}/hidden_layers/tanh_layer_0/bias`),
    },
    l2Epsilon: scalar(`${APPLY}/hidden_layers/l2_normalize/Maximum/y`),
  };
}
