import { FeatureForestError } from '../errors'
import type { FeatureStore } from '../storage/feature-store'
import type { TextFeatureStore } from '../storage/text-feature-store'
import { describeSpace, IMAGE_SPACE, sameSpace, TEXT_SPACE, type VectorSpace } from './vector-space'

/** Stored vectors of one content id and their space. Only images have class probabilities. */
export interface ContentVectors {
  space: VectorSpace
  embedding: Float32Array
  probabilities?: Float32Array
}

/** Feature stores of both modalities of one tenant. */
export interface VectorStores {
  features: FeatureStore
  textFeatures: TextFeatureStore
}

async function readInSpace(
  stores: VectorStores,
  space: VectorSpace,
  contentId: string,
): Promise<ContentVectors | undefined> {
  if (space.modality === 'text') {
    const stored = await stores.textFeatures.get(space.backbone, contentId)
    return stored && { space, embedding: stored.embedding }
  }
  const stored = await stores.features.get(space.backbone, contentId)
  return stored && { space, embedding: stored.embedding, probabilities: stored.probabilities }
}

function otherSpace(space: VectorSpace): VectorSpace {
  return sameSpace(space, IMAGE_SPACE) ? TEXT_SPACE : IMAGE_SPACE
}

/**
 * Reads the stored vectors of content ids, in order; undefined for an id with none. Every id is
 * read under `preferred` first and, only when missing there, under the other space, so a
 * request whose ids all share one space costs one KV read per id. Without `preferred`, the
 * space of the first id decides (image first, then text).
 */
export async function readContentVectors(
  stores: VectorStores,
  contentIds: readonly string[],
  preferred?: VectorSpace,
): Promise<(ContentVectors | undefined)[]> {
  if (contentIds.length === 0) return []
  let space = preferred
  if (!space) {
    const first =
      (await readInSpace(stores, IMAGE_SPACE, contentIds[0]!)) ??
      (await readInSpace(stores, TEXT_SPACE, contentIds[0]!))
    space = first?.space ?? IMAGE_SPACE
  }
  const found = await Promise.all(contentIds.map((id) => readInSpace(stores, space, id)))
  const fallback = otherSpace(space)
  return Promise.all(
    found.map((vectors, i) => vectors ?? readInSpace(stores, fallback, contentIds[i]!)),
  )
}

/**
 * Returns the one space of `spaces`; throws mixed_modalities naming the first entry of another
 * space. `noun` names the entries in the message, for example "examples".
 */
export function requireOneSpace(spaces: readonly VectorSpace[], noun: string): VectorSpace {
  const first = spaces[0]
  if (!first) throw new RangeError('requireOneSpace needs at least one space')
  const other = spaces.findIndex((space) => !sameSpace(space, first))
  if (other < 0) return first
  throw new FeatureForestError(
    'mixed_modalities',
    `${noun}[0] is ${describeSpace(first)} and ${noun}[${other}] is ` +
      `${describeSpace(spaces[other]!)}; vectors of different backbones cannot share a forest, ` +
      `so send ${noun} of one modality per request`,
  )
}
