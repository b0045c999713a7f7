import { env } from 'cloudflare:workers'

import { parseCsv } from './csv'

export { parseCsv }

/** Whether FEATUREFOREST_DATA points at the data folder for this run. */
export const HAS_DATA = env.FIXTURES_AVAILABLE === 'yes'

/** Reads a file of the data folder, by its path relative to that folder. */
export async function readFixture(path: string): Promise<Uint8Array> {
  const response = await env.FIXTURES.fetch(`http://fixtures/${encodeURI(path)}`)
  if (!response.ok) {
    throw new Error(`fixture ${path}: ${response.status} ${await response.text()}`)
  }
  return new Uint8Array(await response.arrayBuffer())
}

/** Reads and parses a manifest.csv of the data folder. */
export async function readManifest(set: string): Promise<Record<string, string>[]> {
  const bytes = await readFixture(`${set}/manifest.csv`)
  return parseCsv(new TextDecoder().decode(bytes))
}
