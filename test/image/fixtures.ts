import { env } from 'cloudflare:workers'

/** Reads a file of the FEATUREFOREST_DATA folder through the FIXTURES service binding. */
export async function readFixture(path: string): Promise<Uint8Array> {
  const response = await env.FIXTURES.fetch(`http://fixtures/${path}`)
  if (!response.ok) {
    throw new Error(
      `fixture ${path} is not readable (HTTP ${response.status}): set FEATUREFOREST_DATA`,
    )
  }
  return new Uint8Array(await response.arrayBuffer())
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into records keyed by header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"'
        index++
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
      if (char === '\r' && text[index + 1] === '\n') {
        index++
      }
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
  const [header = [], ...records] = rows.filter((cells) => cells.some((cell) => cell !== ''))
  return records.map((cells) =>
    Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ''])),
  )
}
