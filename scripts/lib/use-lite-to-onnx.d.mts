/** Converts the Universal Sentence Encoder Lite TF.js graph in `packageFolder` to ONNX bytes. */
export function convertUseLite(packageFolder: string, options?: { quantise?: boolean }): Uint8Array
