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

// NOTE: the installed graph quantises the activations of each product with one scale for the
// whole run, so a text's vector would depend on the other texts of its run and on their
// padding. The encoder runs one text at a time, which makes a vector a function of its text
// alone, as content ids (hashes of the text) require. Batches of texts would run somewhat
// faster per text (BENCHMARKS.md, "Text").

const [IDS_INPUT, MASK_INPUT] = MANIFEST.inputs.map((input) => input.name) as [string, string]
const EMBEDDING_OUTPUT = MANIFEST.outputs[0]!.name

/** Session options; `disable_quant_qdq` folds the int8 token table to float32 at load. */
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
  // 70.3 MB (50.3 MB without the image session; BENCHMARKS.md, "Text"). With both model files
  // held as Data modules (21 MB), an isolate that serves both has less room for the largest
  // image decodes.
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
   * contains 1 to MAX_TOKENS ids of the tokenizer and runs on its own.
   */
  async embed(idLists: readonly (readonly number[])[]): Promise<Float32Array[]> {
    checkIdLists(idLists)
    const embeddings: Float32Array[] = []
    for (const ids of idLists) embeddings.push(await this.queue.run(() => this.run(ids)))
    return embeddings
  }

  private async run(idList: readonly number[]): Promise<Float32Array> {
    const ids = BigInt64Array.from(idList, BigInt)
    const mask = new BigInt64Array(idList.length).fill(1n)
    const shape = [1, idList.length]
    const idsTensor = new this.runtime.Tensor('int64', ids, shape)
    const maskTensor = new this.runtime.Tensor('int64', mask, shape)
    const outputs = await this.session.run({ [IDS_INPUT]: idsTensor, [MASK_INPUT]: maskTensor })
    const output = outputs[EMBEDDING_OUTPUT]
    if (!output) throw new Error(`model ${MANIFEST.id} returned no ${EMBEDDING_OUTPUT}`)
    try {
      return (output.data as Float32Array).slice(0, TEXT_EMBEDDING_DIMENSIONS)
    } finally {
      output.dispose()
      idsTensor.dispose()
      maskTensor.dispose()
    }
  }
}

/** Returns this isolate's text encoder, creating the session on first use. */
export const getSentenceEncoder = oncePerIsolate(() => SentenceEncoder.create())
