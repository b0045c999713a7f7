/**
 * Splits CSV text (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) into
 * rows, leaving out empty lines. Shared by tests and benchmarks.
 */
export function parseCsvRows(text: string): string[][] {
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
  return rows.filter((fields) => fields.some((value) => value !== ''))
}

/** Parses CSV text with a header row into one record per data row, keyed by column name. */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsvRows(text)
  return records.map((fields) =>
    Object.fromEntries((header ?? []).map((name, i) => [name, fields[i] ?? ''])),
  )
}
