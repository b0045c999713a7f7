import type { ort } from './ort-workerd'

/**
 * Throws when a session's input or output names differ from those its manifest lists, which
 * means the installed model file is not the one the manifest describes.
 */
export function checkSessionNames(
  session: ort.InferenceSession,
  modelId: string,
  expected: { inputs: string[]; outputs: string[] },
): void {
  const sameNames = (actual: readonly string[], names: string[]) =>
    actual.length === names.length && names.every((name) => actual.includes(name))
  if (!sameNames(session.inputNames, expected.inputs)) {
    throw new Error(
      `model ${modelId} has inputs [${session.inputNames.join(', ')}], but its manifest ` +
        `lists [${expected.inputs.join(', ')}]; run "npm run setup" to reinstall the model`,
    )
  }
  if (!sameNames(session.outputNames, expected.outputs)) {
    throw new Error(
      `model ${modelId} has outputs [${session.outputNames.join(', ')}], but its manifest ` +
        `lists [${expected.outputs.join(', ')}]; run "npm run setup" to reinstall the model`,
    )
  }
}

/**
 * Runs tasks one after another. One onnxruntime-web WASM session runs one inference at a time,
 * so every run of a session goes through one queue. A failed task does not stop the next.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.catch(() => undefined)
    return result
  }
}

/**
 * Returns a function that creates a value once per isolate and then returns the same promise.
 * A failed creation is forgotten, so the next call tries again.
 */
export function oncePerIsolate<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined
  return () => {
    if (!value) {
      value = create()
      value.catch(() => {
        value = undefined
      })
    }
    return value
  }
}
