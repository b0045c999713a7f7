import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** Python with python3-sklearn from Debian; the pyenv python3 on PATH lacks scikit-learn. */
const PYTHON = process.env.FEATUREFOREST_PYTHON ?? '/usr/bin/python3'
const SCRIPT = new URL('./sklearn_forest.py', import.meta.url).pathname

/** One fit of scikit-learn's RandomForestClassifier, as sklearn_forest.py reports it. */
export interface SklearnResult {
  version: string
  randomState: number
  fitSeconds: number
  predictSeconds: number
  accuracy: number
  modelBytes: number
}

/**
 * Fits RandomForestClassifier(n_estimators, n_jobs=1, random_state) once per random state in a
 * Python child process. The data goes through a temporary binary file. Labels are class indexes.
 */
export async function runSklearnForest(
  train: { features: Float32Array[]; labels: Int32Array },
  test: { features: Float32Array[]; labels: Int32Array },
  nEstimators: number,
  randomStates: number[],
): Promise<SklearnResult[]> {
  const folder = await mkdtemp(join(tmpdir(), 'featureforest-sklearn-'))
  const path = join(folder, 'data.bin')
  try {
    await writeFile(path, encodeData(train, test))
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [SCRIPT, path, String(nEstimators), ...randomStates.map(String)],
      { maxBuffer: 1 << 20 },
    )
    return stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SklearnResult)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

function encodeData(
  train: { features: Float32Array[]; labels: Int32Array },
  test: { features: Float32Array[]; labels: Int32Array },
): Uint8Array {
  const featureCount = train.features[0]!.length
  const parts: ArrayBufferView[] = [
    Int32Array.of(train.features.length, test.features.length, featureCount),
  ]
  parts.push(...train.features, train.labels, ...test.features, test.labels)
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0)
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset)
    offset += part.byteLength
  }
  return bytes
}
