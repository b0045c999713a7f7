import { IMAGE_SPACE, type Modality } from '../catalog/vector-space'
import { FeatureForestError } from '../errors'

/** Key schema version: a change of layout or encoding gets a new prefix. */
const KEY_VERSION = 'v1'

/** R2's limit on the custom metadata of an object, names and values together, in bytes. */
const MAX_CUSTOM_METADATA_BYTES = 8192

/**
 * Summary of a trained classifier, readable without loading its forest. `modality` and
 * `backbone` name the space of the vectors it was trained on.
 */
export interface ClassifierSummary {
  name: string
  modality: Modality
  backbone: string
  featureKind: string
  classes: string[]
  counts: Record<string, number>
  outOfBagAccuracy: number | null
  trainedAt: string
}

/** Returns the custom metadata that stores a summary. */
function summaryMetadata(summary: ClassifierSummary): Record<string, string> {
  return { summary: JSON.stringify(summary) }
}

/**
 * Returns the size of custom metadata as the stricter of two measures: UTF-8 bytes, and
 * Miniflare's count of UTF-16 units, doubled when any unit is above U+00FF.
 */
function metadataSize(metadata: Record<string, string>): number {
  let utf8 = 0
  let units = 0
  let wide = false
  for (const [name, value] of Object.entries(metadata)) {
    for (const text of [name, value]) {
      utf8 += new TextEncoder().encode(text).length
      units += text.length
      wide ||= /[\u0100-\uffff]/.test(text)
    }
  }
  return Math.max(utf8, wide ? 2 * units : units)
}

/**
 * Throws invalid_request when a summary is too large for R2 custom metadata, which happens only
 * with many long labels. `reserve` keeps room for fields that grow once the model is trained.
 */
export function checkSummarySize(summary: ClassifierSummary, reserve = 0): void {
  const size = metadataSize(summaryMetadata(summary))
  const limit = MAX_CUSTOM_METADATA_BYTES - reserve
  if (size > limit) {
    throw new FeatureForestError(
      'invalid_request',
      `the labels make the model summary ${size} bytes, over the ${limit} bytes it may take ` +
        'in R2 object metadata; use shorter labels',
    )
  }
}

/**
 * Named classifiers in R2, one object per tenant and name: `v1:{tenant}:classifiers:{name}`.
 * The object is the forest engine's binary serialisation and its custom metadata `summary` is
 * the JSON of ClassifierSummary, so listing needs no object reads.
 */
export class ClassifierStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly tenant: string,
  ) {}

  private prefix(): string {
    return `${KEY_VERSION}:${this.tenant}:classifiers:`
  }

  async put(summary: ClassifierSummary, bytes: ArrayBuffer | Uint8Array): Promise<void> {
    checkSummarySize(summary)
    await this.bucket.put(this.prefix() + summary.name, bytes, {
      customMetadata: summaryMetadata(summary),
    })
  }

  async get(name: string): Promise<{ summary: ClassifierSummary; bytes: ArrayBuffer } | undefined> {
    const object = await this.bucket.get(this.prefix() + name)
    if (!object) return undefined
    return { summary: readSummary(object), bytes: await object.arrayBuffer() }
  }

  async head(name: string): Promise<ClassifierSummary | undefined> {
    const object = await this.bucket.head(this.prefix() + name)
    return object ? readSummary(object) : undefined
  }

  /** Lists up to `limit` classifiers in name order after `cursor`. */
  async list(
    cursor: string | undefined,
    limit: number,
  ): Promise<{ models: ClassifierSummary[]; cursor?: string }> {
    const listed = await this.bucket.list({
      prefix: this.prefix(),
      cursor,
      limit,
      include: ['customMetadata'],
    })
    return {
      models: listed.objects.map(readSummary),
      ...(listed.truncated && { cursor: listed.cursor }),
    }
  }

  /** Deletes a classifier. Returns false when none has that name. */
  async delete(name: string): Promise<boolean> {
    const key = this.prefix() + name
    if (!(await this.bucket.head(key))) return false
    await this.bucket.delete(key)
    return true
  }
}

/** Reads the summary metadata; summaries stored before modalities existed are of images. */
function readSummary(object: R2Object): ClassifierSummary {
  const text = object.customMetadata?.summary
  if (!text) throw new Error(`classifier object ${object.key} has no summary metadata`)
  const summary = JSON.parse(text) as Omit<ClassifierSummary, 'modality' | 'backbone'> &
    Partial<ClassifierSummary>
  return {
    ...summary,
    modality: summary.modality ?? IMAGE_SPACE.modality,
    backbone: summary.backbone ?? IMAGE_SPACE.backbone,
  }
}
