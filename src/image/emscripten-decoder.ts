/** RGBA pixels as the jSquash glue returns them (an `ImageData`, which workerd does not define). */
export interface RgbaPixels {
  data: Uint8ClampedArray
  width: number
  height: number
}

/** Decoder module built by Emscripten, as jSquash ships it (mozjpeg, libwebp). */
interface EmscriptenDecoderModule {
  decode(data: BufferSource, ...options: boolean[]): RgbaPixels | null
}

interface EmscriptenModuleOptions {
  noInitialRun: boolean
  instantiateWasm: (
    imports: WebAssembly.Imports,
    onInstance: (instance: WebAssembly.Instance) => void,
  ) => WebAssembly.Exports
  print: (text: string) => void
  printErr: (text: string) => void
}

export type EmscriptenFactory<M> = (options: EmscriptenModuleOptions) => Promise<M>

/**
 * Decoded pixels larger than this drop the instance after the decode. A wasm memory never shrinks,
 * so keeping the instance would keep the largest image's heap for the life of the isolate.
 */
const MAX_RETAINED_HEAP_PIXELS = 2_000_000

installImageDataPolyfill()

/**
 * Owns one instance of an Emscripten image decoder. The instance is replaced after any failed
 * decode, because an exit or abort inside libjpeg or libwebp can leave the runtime in an unknown
 * state. It is also replaced after a large decode, to release the grown heap.
 */
export class EmscriptenDecoder<M extends EmscriptenDecoderModule> {
  private instance: Promise<M> | undefined
  private messages: string[] = []

  constructor(
    private readonly factory: EmscriptenFactory<M>,
    private readonly wasm: WebAssembly.Module,
  ) {}

  /**
   * Decodes `bytes` to RGBA. Throws an Error whose message contains what the codec printed.
   * The returned buffer belongs to the caller, because the glue copies it out of the wasm heap.
   */
  async decode(bytes: Uint8Array, ...options: boolean[]): Promise<RgbaPixels> {
    const module = await this.load()
    this.messages = []
    let result: RgbaPixels | null
    try {
      result = module.decode(bytes, ...options)
    } catch (error) {
      this.instance = undefined
      throw new Error(this.describeFailure(error), { cause: error })
    }
    if (!result) {
      this.instance = undefined
      throw new Error(this.describeFailure(undefined))
    }
    if (result.width * result.height > MAX_RETAINED_HEAP_PIXELS) {
      this.instance = undefined
    }
    return result
  }

  private load(): Promise<M> {
    this.instance ??= this.factory({
      noInitialRun: true,
      instantiateWasm: (imports, onInstance) => {
        const instance = new WebAssembly.Instance(this.wasm, imports)
        onInstance(instance)
        return instance.exports
      },
      print: (text) => this.messages.push(text),
      printErr: (text) => this.messages.push(text),
    })
    return this.instance
  }

  private describeFailure(error: unknown): string {
    const printed = this.messages.join('; ')
    if (printed) {
      return printed
    }
    return error instanceof Error ? error.message : 'the decoder returned no image'
  }
}

/** Defines the `ImageData` global that the jSquash glue constructs, which workerd lacks. */
function installImageDataPolyfill(): void {
  if ('ImageData' in globalThis) {
    return
  }
  class RgbaImageData {
    readonly colorSpace = 'srgb'
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  }
  Object.defineProperty(globalThis, 'ImageData', { value: RgbaImageData, writable: true })
}
