import MODEL_BYTES from '../../models/installed/mobilenetv2-12-int8-embed-fp32.onnx'
import MANIFEST from '../../models/mobilenetv2-12-int8.json'
import { configureOrt, type ort } from './ort-workerd'
import { softmax } from './imagenet'
import { checkSessionNames, oncePerIsolate, SerialQueue } from './onnx-session'

/** Identifier of the backbone, stored with every feature vector it produces. */
export const IMAGE_MODEL_ID = MANIFEST.id

/** Side of the square model input, in pixels. */
export const INPUT_SIZE = MANIFEST.input.shape[2] as number

/** Feature vectors of one image. */
export interface ImageFeatures {
  /** Softmax of the 1000 ImageNet logits. */
  probabilities: Float32Array
  /** Penultimate layer (global average pool), 1280 non-negative values, not normalised. */
  embedding: Float32Array
}

const [LOGITS_OUTPUT, EMBEDDING_OUTPUT] = MANIFEST.outputs.map((output) => output.name) as [
  string,
  string,
]

/**
 * The MobileNetV2 session of this isolate. The model is bundled with the Worker, so the
 * session is created from memory without a storage round trip.
 */
export class ImageBackbone {
  // NOTE: one onnxruntime-web WASM session runs one inference at a time, so runs are chained.
  private readonly queue = new SerialQueue()

  private constructor(
    private readonly runtime: typeof ort,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(): Promise<ImageBackbone> {
    const runtime = configureOrt()
    const session = await runtime.InferenceSession.create(new Uint8Array(MODEL_BYTES), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    })
    checkSessionNames(session, MANIFEST.id, {
      inputs: [MANIFEST.input.name],
      outputs: MANIFEST.outputs.map((output) => output.name),
    })
    return new ImageBackbone(runtime, session)
  }

  /** Runs the model on one NCHW float32 input of 3 × 224 × 224 values. */
  async infer(input: Float32Array): Promise<ImageFeatures> {
    if (input.length !== 3 * INPUT_SIZE * INPUT_SIZE) {
      throw new RangeError(
        `input has ${input.length} values, expected ${3 * INPUT_SIZE * INPUT_SIZE} (3×${INPUT_SIZE}×${INPUT_SIZE})`,
      )
    }
    return this.queue.run(() => this.run(input))
  }

  private async run(input: Float32Array): Promise<ImageFeatures> {
    const tensor = new this.runtime.Tensor('float32', input, [1, 3, INPUT_SIZE, INPUT_SIZE])
    const outputs = await this.session.run({ [MANIFEST.input.name]: tensor })
    const logits = outputs[LOGITS_OUTPUT]
    const embedding = outputs[EMBEDDING_OUTPUT]
    if (!logits || !embedding) throw new Error(`model ${MANIFEST.id} returned no ${LOGITS_OUTPUT}`)
    try {
      return {
        probabilities: softmax(logits.data as Float32Array),
        embedding: new Float32Array(embedding.data as Float32Array),
      }
    } finally {
      logits.dispose()
      embedding.dispose()
      tensor.dispose()
    }
  }
}

/** Returns this isolate's backbone, creating the session on first use. */
export const getImageBackbone = oncePerIsolate(() => ImageBackbone.create())
