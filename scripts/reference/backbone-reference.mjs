// Writes test/backbone/reference.json: probabilities and embedding of the installed image model for a synthetic
// gradient input, computed with onnxruntime-node (native CPU), for the workerd backbone test.
// Usage: npx node scripts/reference/backbone-reference.mjs
import { readFileSync, writeFileSync } from 'node:fs'

import * as ort from 'onnxruntime-node'

const SIZE = 224
const plane = SIZE * SIZE
const input = new Float32Array(3 * plane)
for (let c = 0; c < 3; c++) {
  for (let i = 0; i < plane; i++) {
    const x = i % SIZE
    const y = Math.floor(i / SIZE)
    input[c * plane + i] = ((x + y + 50 * c) % SIZE) / SIZE - 0.5
  }
}

const modelUrl = new URL(
  '../../models/installed/mobilenetv2-12-int8-embed-fp32.onnx',
  import.meta.url,
)
const session = await ort.InferenceSession.create(readFileSync(modelUrl), {
  intraOpNumThreads: 1,
})
const outputs = await session.run({ input: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) })
const logits = Array.from(outputs.output.data)
const maxLogit = Math.max(...logits)
const exponentials = logits.map((value) => Math.exp(value - maxLogit))
const sum = exponentials.reduce((total, value) => total + value, 0)
const probabilities = exponentials.map((value) => value / sum)
const embedding = Array.from(outputs.embedding.data)
const stride = 37
const reference = {
  description:
    'onnxruntime-node 1.31.1 outputs for the gradient input of test/backbone/image-backbone.test.ts',
  stride,
  probabilities: probabilities.filter((_, i) => i % stride === 0),
  top1: probabilities.indexOf(Math.max(...probabilities)),
  embedding: embedding.filter((_, i) => i % stride === 0),
}
writeFileSync(
  new URL('../../test/backbone/reference.json', import.meta.url),
  JSON.stringify(reference, null, 1) + '\n',
)
console.log(
  `wrote ${reference.probabilities.length} probabilities and ${reference.embedding.length} embedding values`,
)
