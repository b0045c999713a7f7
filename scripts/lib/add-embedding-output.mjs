import onnxProto from 'onnx-proto'

const { onnx } = onnxProto

/**
 * Adds the float32 output `embedding` [N, 1280] to the quantised MobileNetV2 graph: the global
 * average pool of the last convolution block, which is the penultimate layer. The pool is
 * computed in float32 from the dequantised block output instead of taking the uint8 result of
 * QLinearGlobalAveragePool, whose coarse steps would make near-identical images differ.
 * The original `output` logits stay as they are. Returns the encoded model bytes.
 */
export function addEmbeddingOutput(modelBytes) {
  const model = onnx.ModelProto.decode(modelBytes)
  const graph = model.graph
  const pools = graph.node.filter((node) => node.opType === 'QLinearGlobalAveragePool')
  if (pools.length !== 1) {
    throw new Error(`expected one QLinearGlobalAveragePool node, found ${pools.length}`)
  }

  // QLinearGlobalAveragePool inputs: X, x_scale, x_zero_point, y_scale, y_zero_point.
  const [pool] = pools
  const [blockOutput, xScale, xZeroPoint] = pool.input
  graph.node.push(
    onnx.NodeProto.create({
      opType: 'DequantizeLinear',
      name: 'embedding_dequantize',
      input: [blockOutput, xScale, xZeroPoint],
      output: ['embedding_block'],
    }),
    onnx.NodeProto.create({
      opType: 'GlobalAveragePool',
      name: 'embedding_pool',
      input: ['embedding_block'],
      output: ['embedding_nchw'],
    }),
    onnx.NodeProto.create({
      opType: 'Flatten',
      name: 'embedding_flatten',
      input: ['embedding_nchw'],
      output: ['embedding'],
      attribute: [
        onnx.AttributeProto.create({
          name: 'axis',
          type: onnx.AttributeProto.AttributeType.INT,
          i: 1,
        }),
      ],
    }),
  )
  graph.output.push(
    onnx.ValueInfoProto.create({
      name: 'embedding',
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: onnx.TensorShapeProto.create({
            dim: [
              onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' }),
              onnx.TensorShapeProto.Dimension.create({ dimValue: 1280 }),
            ],
          }),
        }),
      }),
    }),
  )
  return onnx.ModelProto.encode(model).finish()
}
