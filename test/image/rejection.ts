import { expect } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { decodeImage } from '../../src/image'

/** Decodes `bytes`, expects a FeatureForestError, and returns it. */
export async function rejection(bytes: Uint8Array): Promise<FeatureForestError> {
  const error = await decodeImage(bytes).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(FeatureForestError)
  return error as FeatureForestError
}
