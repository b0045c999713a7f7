// Rewrites a QDQ/QLinear int8 ONNX model (the ONNX Model Zoo's mobilenetv2-12-int8 layout) into
// an fp32 graph with the dequantised weights. The Worker serves that graph, because WebAssembly
// runs its float32 kernels faster than the int8 ones (BENCHMARKS.md, "Embedding").
// Usage: npx node scripts/lib/dequantize-model.mjs <int8 model.onnx> <fp32 output.onnx>
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

import onnxProto from 'onnx-proto'

const { onnx } = onnxProto
const { DataType } = onnx.TensorProto

/** Smallest and largest value of each quantised element type (ONNX TensorProto data types). */
const QUANTISED_RANGE = {
  [DataType.UINT8]: [0, 255],
  [DataType.INT8]: [-128, 127],
}

/** Returns the values of an initializer as plain numbers, from raw_data or the typed fields. */
function tensorValues(tensor) {
  const count = tensor.dims.reduce((product, dim) => product * Number(dim), 1)
  const raw = tensor.rawData
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    const read = {
      [DataType.FLOAT]: (i) => view.getFloat32(i * 4, true),
      [DataType.UINT8]: (i) => view.getUint8(i),
      [DataType.INT8]: (i) => view.getInt8(i),
      [DataType.INT32]: (i) => view.getInt32(i * 4, true),
    }[tensor.dataType]
    if (!read) throw new Error(`initializer ${tensor.name} has unsupported type ${tensor.dataType}`)
    return Array.from({ length: count }, (_, i) => read(i))
  }
  if (tensor.dataType === DataType.FLOAT) return Array.from(tensor.floatData)
  // ONNX stores int8, uint8 and int32 values in int32_data when raw_data is empty.
  return Array.from(tensor.int32Data)
}

function floatTensor(name, dims, values) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(Float32Array.from(values).buffer),
  })
}

/**
 * Dequantises a weight tensor: (q - zeroPoint[c]) * scale[c], where c is the index along
 * `axis` (per-channel parameters) or 0 (per-tensor parameters).
 */
function dequantiseWeights(quantised, scale, zeroPoint, axis) {
  const values = tensorValues(quantised)
  const scales = tensorValues(scale)
  const zeroPoints = tensorValues(zeroPoint)
  const dims = quantised.dims.map(Number)
  const inner = dims.slice(axis + 1).reduce((product, dim) => product * dim, 1)
  const channels = dims[axis] ?? 1
  return values.map((q, i) => {
    const c = scales.length === 1 ? 0 : Math.floor(i / inner) % channels
    return (q - zeroPoints[zeroPoints.length === 1 ? 0 : c]) * scales[c]
  })
}

/** Rewriter state: the initializers of the source graph and the fp32 graph being built. */
class Rewriter {
  constructor(graph) {
    this.initializers = new Map(graph.initializer.map((tensor) => [tensor.name, tensor]))
    /** Quantised activation name → name of its fp32 counterpart. */
    this.floatName = new Map()
    this.nodes = []
    this.newInitializers = []
  }

  scalar(name) {
    const tensor = this.initializers.get(name)
    if (!tensor)
      throw new Error(`${name} is not an initializer; only constant scales are supported`)
    return tensorValues(tensor)[0]
  }

  /** Returns the fp32 name of an activation, or the name unchanged when it is not quantised. */
  input(name) {
    return this.floatName.get(name) ?? name
  }

  output(quantisedName) {
    const name = `${quantisedName}_fp32`
    this.floatName.set(quantisedName, name)
    return name
  }

  addInitializer(name, dims, values) {
    this.newInitializers.push(floatTensor(name, dims, values))
    return name
  }

  /** Appends Clip(0, max) when the output quantisation has its zero point at the type's minimum. */
  clipLikeQuantisedOutput(value, scaleName, zeroPointName) {
    const zeroPointTensor = this.initializers.get(zeroPointName)
    const [qmin, qmax] = QUANTISED_RANGE[zeroPointTensor.dataType]
    const zeroPoint = this.scalar(zeroPointName)
    if (zeroPoint !== qmin) return value
    // The int8 graph cannot represent negative outputs here: this is a fused ReLU or ReLU6.
    const upper = (qmax - zeroPoint) * this.scalar(scaleName)
    const min = this.addInitializer(`${value}_clip_min`, [], [0])
    const max = this.addInitializer(`${value}_clip_max`, [], [upper])
    const clipped = `${value}_clipped`
    this.nodes.push({ opType: 'Clip', name: clipped, input: [value, min, max], output: [clipped] })
    return clipped
  }

  qlinearConv(node) {
    const [x, xScale, , w, wScale, wZeroPoint, yScale, yZeroPoint, bias] = node.input
    const weights = this.initializers.get(w)
    const weightName = this.addInitializer(
      `${node.output[0]}_weight`,
      weights.dims,
      dequantiseWeights(
        weights,
        this.initializers.get(wScale),
        this.initializers.get(wZeroPoint),
        0,
      ),
    )
    const inputs = [this.input(x), weightName]
    if (bias) {
      // Bias quantisation: scale = input scale × weight scale of the output channel, zero point 0.
      const inputScale = this.scalar(xScale)
      const weightScales = tensorValues(this.initializers.get(wScale))
      const values = tensorValues(this.initializers.get(bias)).map(
        (q, c) => q * inputScale * weightScales[weightScales.length === 1 ? 0 : c],
      )
      inputs.push(this.addInitializer(`${node.output[0]}_bias`, [values.length], values))
    }
    const convOutput = `${node.output[0]}_conv`
    this.nodes.push({ ...node, opType: 'Conv', domain: '', input: inputs, output: [convOutput] })
    this.alias(node.output[0], this.clipLikeQuantisedOutput(convOutput, yScale, yZeroPoint))
  }

  /** Operand of QLinearAdd: an activation, or an initializer that is dequantised here. */
  addOperand(name, scale, zeroPoint) {
    const tensor = this.initializers.get(name)
    if (!tensor) return this.input(name)
    const values = dequantiseWeights(
      tensor,
      this.initializers.get(scale),
      this.initializers.get(zeroPoint),
      0,
    )
    return this.addInitializer(`${name}_fp32`, tensor.dims, values)
  }

  qlinearAdd(node) {
    const [a, aScale, aZeroPoint, b, bScale, bZeroPoint, yScale, yZeroPoint] = node.input
    const sum = `${node.output[0]}_add`
    const inputs = [this.addOperand(a, aScale, aZeroPoint), this.addOperand(b, bScale, bZeroPoint)]
    this.nodes.push({ opType: 'Add', name: sum, input: inputs, output: [sum] })
    this.alias(node.output[0], this.clipLikeQuantisedOutput(sum, yScale, yZeroPoint))
  }

  qlinearMatMul(node) {
    const [a, , , b, bScale, bZeroPoint] = node.input
    const weights = this.initializers.get(b)
    // Per-column parameters: axis 1 of the [K, N] weight matrix.
    const values = dequantiseWeights(
      weights,
      this.initializers.get(bScale),
      this.initializers.get(bZeroPoint),
      1,
    )
    const weightName = this.addInitializer(`${b}_fp32`, weights.dims, values)
    const product = this.output(node.output[0])
    this.nodes.push({
      opType: 'MatMul',
      name: product,
      input: [this.input(a), weightName],
      output: [product],
    })
  }

  /** Makes `quantisedName` refer to the fp32 tensor `value`. */
  alias(quantisedName, value) {
    this.floatName.set(quantisedName, value)
  }

  rewrite(node) {
    switch (node.opType) {
      case 'QuantizeLinear':
        this.alias(node.output[0], this.input(node.input[0]))
        return
      case 'DequantizeLinear':
        this.nodes.push({
          opType: 'Identity',
          name: node.output[0],
          input: [this.input(node.input[0])],
          output: node.output,
        })
        return
      case 'QLinearConv':
        return this.qlinearConv(node)
      case 'QLinearAdd':
        return this.qlinearAdd(node)
      case 'QLinearMatMul':
        return this.qlinearMatMul(node)
      case 'QLinearGlobalAveragePool': {
        const pooled = this.output(node.output[0])
        this.nodes.push({
          opType: 'GlobalAveragePool',
          name: pooled,
          input: [this.input(node.input[0])],
          output: [pooled],
        })
        return
      }
      default:
        if (node.opType.startsWith('QLinear')) {
          throw new Error(
            `${node.opType} (node ${node.name}) has no fp32 rewrite in this dequantiser`,
          )
        }
        // Shape arithmetic and layout ops (Reshape of a quantised tensor) run unchanged on fp32 data.
        this.nodes.push({
          ...node,
          input: node.input.map((name) => this.input(name)),
          output: node.output.map((name) =>
            name.endsWith('_quantized') ? this.output(name) : name,
          ),
        })
    }
  }
}

/**
 * Returns the encoded fp32 model for an encoded int8 model. QLinearConv, QLinearAdd,
 * QLinearGlobalAveragePool and QLinearMatMul become Conv, Add, GlobalAveragePool and MatMul
 * with dequantised initializers. QuantizeLinear is dropped and DequantizeLinear becomes
 * Identity. Where an output quantisation cannot represent negative values (a fused ReLU or
 * ReLU6), a Clip to its range is added.
 */
export function dequantizeModel(modelBytes) {
  const model = onnx.ModelProto.decode(modelBytes)
  const graph = model.graph
  const rewriter = new Rewriter(graph)
  for (const node of graph.node) rewriter.rewrite(node)

  // Graph outputs keep their names: nodes other than DequantizeLinear got `_fp32` names.
  for (const output of graph.output) {
    const value = rewriter.input(output.name)
    const producesOutput = rewriter.nodes.some((node) => node.output.includes(output.name))
    if (!producesOutput) {
      rewriter.nodes.push({
        opType: 'Identity',
        name: output.name,
        input: [value],
        output: [output.name],
      })
    }
  }

  const used = new Set(rewriter.nodes.flatMap((node) => node.input))
  graph.node = rewriter.nodes.map((node) => onnx.NodeProto.create(node))
  graph.initializer = [
    ...graph.initializer.filter((tensor) => used.has(tensor.name)),
    ...rewriter.newInitializers,
  ]
  // Shapes recorded for the quantised tensors have uint8 element types: ORT infers them again.
  graph.valueInfo = []
  return onnx.ModelProto.encode(model).finish()
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [input, output] = process.argv.slice(2)
  if (!input || !output) {
    console.error(
      'usage: npx node scripts/lib/dequantize-model.mjs <int8 model.onnx> <fp32 output.onnx>',
    )
    process.exit(2)
  }
  const bytes = dequantizeModel(readFileSync(input))
  writeFileSync(output, bytes)
  console.log(`wrote ${output} (${bytes.length} bytes)`)
}
