import { FeatureForestError } from '../errors'
import { decodeUtf8 } from './utf8'

/** A paged listing of the API, whose cursors wrap the cursors of its storage. */
export interface Listing {
  /** Name that goes into each cursor's check value, so one listing rejects another's cursors. */
  name: string
  /** Shape of a storage cursor of this listing, checked again once a cursor is unwrapped. */
  storageCursor: RegExp
}

/** Bytes of the SHA-256 digest kept as a cursor's check value. */
const CHECK_BYTES = 16

/** Maximum cursor length, in characters. A wrapped storage cursor of 2,048 characters fits. */
const MAX_CURSOR_LENGTH = 4096

/** `{storage cursor as base64url}.{check value as base64url}`. */
const CURSOR = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** Decodes base64url, or returns undefined for text that is not base64url. */
function fromBase64Url(text: string): Uint8Array | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (char) => char.charCodeAt(0))
  } catch {
    return undefined
  }
}

/** Computes the check value of a storage cursor, bound to the listing and the tenant. */
async function checkValue(
  listing: Listing,
  tenant: string,
  storageCursor: string,
): Promise<string> {
  // Neither a tenant nor a listing name contains a line break, so the parts cannot run together.
  const input = new TextEncoder().encode(`${listing.name}\n${tenant}\n${storageCursor}`)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input))
  return toBase64Url(digest.subarray(0, CHECK_BYTES))
}

/**
 * Wraps the storage cursor of a listing's next page into the cursor the API returns. Storage
 * alone does not reject a cursor it did not issue: local R2 decodes any base64 cursor to a key
 * and lists from after it, and the item listing starts after any id.
 */
// NOTE: the check value is a plain digest, not a keyed MAC. It rejects garbage, altered cursors
// and cursors of another listing or tenant, but not a cursor computed on purpose with this
// scheme. Such a cursor can only move the start of a listing of the caller's own tenant, because
// storage keys and catalog objects are per tenant, and it must match `storageCursor`. The
// storage cursor inside is readable by the client, since it is only base64url-encoded.
export async function issueCursor(
  listing: Listing,
  tenant: string,
  storageCursor: string,
): Promise<string> {
  const payload = toBase64Url(new TextEncoder().encode(storageCursor))
  return `${payload}.${await checkValue(listing, tenant, storageCursor)}`
}

/** Replaces the storage cursor of a page with the cursor the API returns, if it has one. */
export async function issuePageCursor<Page extends { cursor?: string }>(
  listing: Listing,
  tenant: string,
  page: Page,
): Promise<Page> {
  if (page.cursor === undefined) return page
  return { ...page, cursor: await issueCursor(listing, tenant, page.cursor) }
}

/**
 * Reads the `cursor` query parameter of a listing and returns its storage cursor, or undefined
 * for the first page. Throws invalid_request for a cursor that this listing did not issue to
 * this tenant.
 */
export async function readCursor(
  listing: Listing,
  tenant: string,
  cursor: string | undefined,
): Promise<string | undefined> {
  if (cursor === undefined || cursor === '') return undefined
  const invalid = new FeatureForestError(
    'invalid_request',
    'cursor is invalid; pass unchanged the cursor that the previous page of this listing returned',
  )
  const match = cursor.length <= MAX_CURSOR_LENGTH ? CURSOR.exec(cursor) : null
  const bytes = match ? fromBase64Url(match[1]!) : undefined
  // Only the encoding that issueCursor writes is accepted, not another spelling of its bytes.
  const canonical = bytes !== undefined && toBase64Url(bytes) === match![1]
  const storageCursor = canonical ? decodeUtf8(bytes) : undefined
  if (storageCursor === undefined || !listing.storageCursor.test(storageCursor)) throw invalid
  if (match![2] !== (await checkValue(listing, tenant, storageCursor))) throw invalid
  return storageCursor
}
