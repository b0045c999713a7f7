// Prints the peak memory of decoding JPEG files with the mozjpeg wasm that @jsquash/jpeg ships:
// the grown wasm heap plus the RGBA copy returned to JavaScript. src/image/limits.ts sizes
// IMAGE_LIMITS and DECODE_BYTES_PER_PIXEL from this output.
// Usage: npx node scripts/reference/jpeg-decode-memory.mjs photo.jpg [more.jpg ...]
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const wasmPath = require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')
const { default: mozjpegFactory } = await import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js')

globalThis.ImageData ??= class {
  constructor(data, width, height) {
    Object.assign(this, { data, width, height })
  }
}
const wasm = await WebAssembly.compile(readFileSync(wasmPath))

for (const path of process.argv.slice(2)) {
  let instance
  const decoder = await mozjpegFactory({
    noInitialRun: true,
    instantiateWasm: (imports, onInstance) => {
      instance = new WebAssembly.Instance(wasm, imports)
      onInstance(instance)
      return instance.exports
    },
  })
  const memory = Object.values(instance.exports).find(
    (value) => value instanceof WebAssembly.Memory,
  )
  const image = decoder.decode(readFileSync(path), false)
  const pixels = image.width * image.height
  const heap = memory.buffer.byteLength
  const total = heap + image.data.length
  console.log(
    `${path}: ${image.width}×${image.height} (${(pixels / 1e6).toFixed(1)} MP), ` +
      `wasm heap ${(heap / 1e6).toFixed(1)} MB, RGBA copy ${(image.data.length / 1e6).toFixed(1)} MB, ` +
      `total ${(total / 1e6).toFixed(1)} MB (${(total / pixels).toFixed(2)} bytes per pixel)`,
  )
}
