import { IMAGE_MODEL_ID } from '../backbone/image-backbone'
import { TEXT_MODEL_ID } from '../backbone/text-encoder'
import { FeatureForestError } from '../errors'

/** Kind of content that vectors were computed from. */
export type Modality = 'image' | 'text'

/**
 * The modality of vectors and the id of the backbone that computed them. Distances and forest
 * splits mean something only between vectors of one space, so a catalog, a user's ratings and a
 * classifier each hold vectors of one space.
 */
export interface VectorSpace {
  modality: Modality
  /** Backbone model id, as `model` in POST /embed responses. */
  backbone: string
}

export const IMAGE_SPACE: VectorSpace = { modality: 'image', backbone: IMAGE_MODEL_ID }
export const TEXT_SPACE: VectorSpace = { modality: 'text', backbone: TEXT_MODEL_ID }

export function sameSpace(a: VectorSpace, b: VectorSpace): boolean {
  return a.modality === b.modality && a.backbone === b.backbone
}

/** Returns the space for error messages, for example `text (use-lite)`. */
export function describeSpace(space: VectorSpace): string {
  return `${space.modality} (${space.backbone})`
}

/**
 * Throws modality_mismatch unless a forest was trained on vectors of `space`. The backbone id
 * comes from the forest's serialised header; an empty id (a forest imported without one) is
 * accepted. `forestName` names the forest in the message, for example `model cats`.
 */
export function requireForestSpace(
  forestBackbone: string,
  space: VectorSpace,
  forestName: string,
): void {
  if (forestBackbone === '' || forestBackbone === space.backbone) return
  throw new FeatureForestError(
    'modality_mismatch',
    `${forestName} was trained on vectors of backbone ${forestBackbone}, and the input is ` +
      `${describeSpace(space)}; send input of the model's modality or train it again`,
  )
}
