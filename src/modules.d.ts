declare module '*.wasm' {
  const compiledModule: WebAssembly.Module
  export default compiledModule
}

declare module '*.onnx' {
  const modelBytes: ArrayBuffer
  export default modelBytes
}
