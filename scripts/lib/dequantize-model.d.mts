/** Returns the encoded fp32 model for an encoded int8 (QLinear) ONNX model. */
export function dequantizeModel(modelBytes: Uint8Array): Uint8Array
