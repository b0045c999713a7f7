import MODEL_BYTES from '../../models/installed/use-lite-int8.onnx'
import MANIFEST from '../../models/use-lite.json'
import { checkSessionNames, oncePerIsolate, SerialQueue } from './onnx-session'
import { configureOrt, type ort } from './ort-workerd'

/** Identifier of the text encoder, stored with every vector it produces. */
export const TEXT_MODEL_ID = MANIFEST.id

/** Length of one text embedding. */
export const TEXT_EMBEDDING_DIMENSIONS = MANIFEST.outputs[0]!.shape[1] as number

/** Most token ids per text that the encoder accepts. */
const MAX_TOKENS = MANIFEST.maxTokens

/**
 * Maximum number of texts per session run. Activations grow with batch × sequence (the
 * feed-forward layer alone produces batch × 128 × 1536 floats), and the WASM heap never shrinks,
 * so large batches are split into runs of this size. In local workerd beside the float32 image
 * session, runs of up to 4 × 128 tokens fitted in the heap that creating the session left
 * (84.3 MB), whereas one run of 8 × 128 grew it to 101.3 MB. Per text, runs of 4 were no
 * slower than runs of 8.
 */
export const MAX_TEXTS_PER_RUN = 4

const [IDS_INPUT, MASK_INPUT] = MANIFEST.inputs.map((input) => input.name) as [string, string]
const EMBEDDING_OUTPUT = MANIFEST.outputs[0]!.name

/** Session options; the int8 file needs `disable_quant_qdq` to fold its weights to float32. */
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['wasm'],
  graphOptimizationLevel: 'all',
  ...MANIFEST.installed.sessionOptions,
}

/** Throws a RangeError unless every id list contains 1 to MAX_TOKENS ids. */
function checkIdLists(idLists: readonly (readonly number[])[]): void {
  idLists.forEach((ids, i) => {
    if (ids.length === 0 || ids.length > MAX_TOKENS) {
      throw new RangeError(`idLists[${i}] has ${ids.length} ids; expected 1 to ${MAX_TOKENS}`)
    }
  })
}

/**
 * The Universal Sentence Encoder Lite session of this isolate. The model is bundled with the
 * Worker, so the session is created from memory without a storage round trip.
 */
export class SentenceEncoder {
  // NOTE: one onnxruntime-web WASM session runs one inference at a time, so runs are chained.
  private readonly queue = new SerialQueue()

  private constructor(
    private readonly runtime: typeof ort,
    private readonly session: ort.InferenceSession,
  ) {}

  // NOTE: creating this session grows the onnxruntime heap from the image session's 58.5 MB to
  // 84.3 MB (72.5 MB without the image session), because `disable_quant_qdq` unpacks the int8
  // weights to float32. With both model files held as Data modules (21 MB), that leaves little
  // of the isolate's 128 MB for JavaScript and the largest image decodes in the same isolate.
  static async create(): Promise<SentenceEncoder> {
    const runtime = configureOrt()
    const session = await runtime.InferenceSession.create(
      new Uint8Array(MODEL_BYTES),
      SESSION_OPTIONS,
    )
    checkSessionNames(session, MANIFEST.id, {
      inputs: MANIFEST.inputs.map((input) => input.name),
      outputs: MANIFEST.outputs.map((output) => output.name),
    })
    return new SentenceEncoder(runtime, session)
  }

  /**
   * Returns one unit-length embedding per id list, in the order of `idLists`. Each list
   * contains 1 to MAX_TOKENS ids of the tokenizer. A run pads its lists to the longest one, so
   * the lists are sorted by length before they are split into runs of MAX_TEXTS_PER_RUN.
   */
  async embed(idLists: readonly (readonly number[])[]): Promise<Float32Array[]> {
    checkIdLists(idLists)
    const order = idLists.map((_, index) => index)
    order.sort((a, b) => idLists[a]!.length - idLists[b]!.length)
    const embeddings = new Array<Float32Array>(idLists.length)
    for (let start = 0; start < order.length; start += MAX_TEXTS_PER_RUN) {
      const indexes = order.slice(start, start + MAX_TEXTS_PER_RUN)
      const batch = indexes.map((index) => idLists[index]!)
      const vectors = await this.queue.run(() => this.run(batch))
      indexes.forEach((index, row) => {
        embeddings[index] = vectors[row]!
      })
    }
    return embeddings
  }

  private async run(idLists: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const batchSize = idLists.length
    const sequenceLength = Math.max(...idLists.map((ids) => ids.length))
    const ids = new BigInt64Array(batchSize * sequenceLength)
    const mask = new BigInt64Array(batchSize * sequenceLength)
    idLists.forEach((list, row) => {
      list.forEach((id, column) => {
        ids[row * sequenceLength + column] = BigInt(id)
        mask[row * sequenceLength + column] = 1n
      })
    })
    const shape = [batchSize, sequenceLength]
    const idsTensor = new this.runtime.Tensor('int64', ids, shape)
    const maskTensor = new this.runtime.Tensor('int64', mask, shape)
    const outputs = await this.session.run({ [IDS_INPUT]: idsTensor, [MASK_INPUT]: maskTensor })
    const output = outputs[EMBEDDING_OUTPUT]
    if (!output) throw new Error(`model ${MANIFEST.id} returned no ${EMBEDDING_OUTPUT}`)
    try {
      const values = output.data as Float32Array
      return idLists.map((_, row) =>
        values.slice(row * TEXT_EMBEDDING_DIMENSIONS, (row + 1) * TEXT_EMBEDDING_DIMENSIONS),
      )
    } finally {
      output.dispose()
      idsTensor.dispose()
      maskTensor.dispose()
    }
  }
}

/** Returns this isolate's text encoder, creating the session on first use. */
export const getSentenceEncoder = oncePerIsolate(() => SentenceEncoder.create())
