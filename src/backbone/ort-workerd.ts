import * as ort from 'onnxruntime-web/wasm'
import ORT_WASM_MODULE from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'

/**
 * Placeholder passed as `env.wasm.wasmBinary`. workerd refuses to compile WebAssembly from
 * bytes, so ORT must not receive the real binary. Setting any `wasmBinary` in single-threaded
 * mode makes ORT 1.31 use the Emscripten glue embedded in its bundle, which then calls
 * `WebAssembly.instantiate(wasmBinary, imports)`; `patchInstantiate` resolves exactly that call
 * with the module that wrangler compiled at deploy time.
 */
const WASM_PLACEHOLDER = new TextEncoder().encode('featureforest:ort-wasm-placeholder')

let configured = false
let ortMemory: WebAssembly.Memory | undefined

function isPlaceholder(source: unknown): boolean {
  if (!(source instanceof Uint8Array) || source.length !== WASM_PLACEHOLDER.length) return false
  return source.every((byte, index) => byte === WASM_PLACEHOLDER[index])
}

function rememberMemory(imports: WebAssembly.Imports | undefined): void {
  for (const namespace of Object.values(imports ?? {})) {
    for (const value of Object.values(namespace)) {
      if (value instanceof WebAssembly.Memory) ortMemory = value
    }
  }
}

function patchInstantiate(): void {
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (
    source: unknown,
    imports?: WebAssembly.Imports,
  ) => Promise<unknown>
  const patched = async (source: unknown, imports?: WebAssembly.Imports) => {
    // Other libraries (image decoders) pass compiled modules: those go through untouched.
    if (!isPlaceholder(source)) return instantiate(source, imports)
    rememberMemory(imports)
    const instance = (await instantiate(ORT_WASM_MODULE, imports)) as WebAssembly.Instance
    return { instance, module: ORT_WASM_MODULE }
  }
  ;(WebAssembly as { instantiate: unknown }).instantiate = patched
}

/** Configures onnxruntime-web for workerd: one thread, no proxy worker, the precompiled module. */
export function configureOrt(): typeof ort {
  if (!configured) {
    configured = true
    patchInstantiate()
    // workerd has no Web Workers, so ORT runs single-threaded in the request's isolate.
    ort.env.wasm.numThreads = 1
    ort.env.wasm.proxy = false
    ort.env.wasm.wasmBinary = WASM_PLACEHOLDER
  }
  return ort
}

/** Size of ORT's WebAssembly heap in bytes, or 0 before the first session exists. */
export function ortHeapBytes(): number {
  return ortMemory?.buffer.byteLength ?? 0
}

export { ort }
