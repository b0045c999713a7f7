// wrangler's CompiledWasm rule turns each `.wasm` import into a precompiled WebAssembly.Module.
declare module '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm' {
  const module: WebAssembly.Module
  export default module
}

declare module '@jsquash/webp/codec/dec/webp_dec.wasm' {
  const module: WebAssembly.Module
  export default module
}

// The Emscripten glue ships a .d.ts whose factory type lives in a global namespace that is only
// declared inside jSquash, so the factories are typed here and narrowed by each decoder.
declare module '@jsquash/jpeg/codec/dec/mozjpeg_dec.js' {
  const factory: (options: object) => Promise<unknown>
  export default factory
}

declare module '@jsquash/webp/codec/dec/webp_dec.js' {
  const factory: (options: object) => Promise<unknown>
  export default factory
}
