import { env } from 'cloudflare:workers'

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

/** Parses a CSV file with a header row and double-quoted fields into records. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') {
        quoted = false
      } else {
        field += char
      }
    } else if (char === '"') {
      quoted = true
    } else if (char === ',') {
      row.push(field)
      field = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else {
      field += char
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  const [header, ...records] = rows.filter((fields) => fields.some((value) => value !== ''))
  return records.map((fields) =>
    Object.fromEntries((header ?? []).map((name, i) => [name, fields[i] ?? ''])),
  )
}

/** Reads and parses a manifest.csv of the data folder. */
export async function readManifest(set: string): Promise<Record<string, string>[]> {
  const bytes = await readFixture(`${set}/manifest.csv`)
  return parseCsv(new TextDecoder().decode(bytes))
}
