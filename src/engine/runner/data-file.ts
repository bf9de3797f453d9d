import { readFile, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'

/**
 * A run's data file: rows whose columns become variables. CSV (RFC 4180: a header row, `,` between fields,
 * CRLF or LF between records, `"` around fields that hold commas, quotes or line breaks, `""` for a quote
 * inside them) or JSON (an array of flat objects). Anything malformed is refused with its line, never guessed.
 *
 * A small reader of our own rather than a CSV library: none is among the app's dependencies, and the format
 * is small enough to read exactly (the tests check it against csv-parse on the awkward cases).
 */

export type DataRow = Record<string, string>

const MAX_BYTES = 64 * 1024 * 1024
const MAX_ROWS = 1_000_000

export async function readDataFile(path: string): Promise<Result<DataRow[]>> {
  let text: string
  try {
    const s = await stat(path)
    if (!s.isFile()) return fail('invalid_request', `Data file ${path} is not a file`)
    if (s.size > MAX_BYTES) return fail('invalid_request', `Data file ${path} is larger than 64 MB`)
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return fail(
      code === 'ENOENT' ? 'not_found' : 'file',
      code === 'ENOENT' ? `Data file ${path} does not exist` : `Cannot read data file ${path}`,
    )
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const ext = extname(path).toLowerCase()
  const json = ext === '.json' || (ext !== '.csv' && /^\s*\[/.test(text))
  const r = json ? parseJsonRows(text) : parseCsv(text)
  if (!r.ok) return fail('invalid_request', `Data file ${path}: ${r.error.message}`)
  if (r.value.length > MAX_ROWS)
    return fail('invalid_request', `Data file ${path} has more than 1,000,000 rows`)
  return r
}

export function parseJsonRows(text: string): Result<DataRow[]> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return fail('parse', `not valid JSON (${e instanceof Error ? e.message : String(e)})`)
  }
  if (!Array.isArray(value)) return fail('parse', 'expected a JSON array of objects')
  const rows: DataRow[] = []
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i]
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return fail('parse', `item ${i} is not an object`)
    const row: DataRow = {}
    for (const [k, v] of Object.entries(item)) {
      if (typeof v === 'object' && v !== null) {
        const text = jsonText(v)
        if (text === null)
          return fail(
            'parse',
            `item ${i}, "${k.slice(0, 60)}": nested too deeply to be written as a variable's text`,
          )
        row[k] = text
      } else row[k] = typeof v === 'string' ? v : v === null ? '' : String(v as number | boolean)
    }
    rows.push(row)
  }
  return ok(rows)
}

/**
 * A nested value as the JSON text its variable holds, or null when it is nested past what JSON.stringify's
 * recursion can write (JSON.parse reads any depth; writing a 100,000-deep array back overflows the stack).
 */
function jsonText(v: object): string | null {
  try {
    return JSON.stringify(v)
  } catch (e) {
    if (e instanceof RangeError) return null
    throw e
  }
}

/** Records of fields; each record knows the line it starts on (1-based) for messages. */
export function parseCsvRecords(text: string): Result<{ line: number; fields: string[] }[]> {
  const records: { line: number; fields: string[] }[] = []
  let fields: string[] = []
  let field = ''
  /** The current field was quoted (so `""` is an empty field, not an empty line). */
  let quoted = false
  let line = 1
  let recordLine = 1
  let i = 0
  const n = text.length
  const endField = (): void => {
    fields.push(field)
    field = ''
    quoted = false
  }
  const endRecord = (): void => {
    // A line with nothing on it is not a record (a trailing newline, a blank line between rows).
    const blank = fields.length === 0 && field === '' && !quoted
    endField()
    if (!blank) records.push({ line: recordLine, fields })
    fields = []
  }
  while (i < n) {
    const c = text[i]
    if (c === '"' && field === '' && !quoted) {
      // A quoted field: runs to the closing quote; "" is a quote; line breaks are part of the value.
      const openedOn = line
      quoted = true
      i++
      for (;;) {
        if (i >= n) return fail('parse', `line ${openedOn}: a quoted field is never closed`)
        const d = text[i]
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        if (d === '\n') line++
        field += d
        i++
      }
      const next = text[i]
      if (i < n && next !== ',' && next !== '\n' && next !== '\r')
        return fail('parse', `line ${line}: text after a closing quote (write a quote inside a field as "")`)
      continue
    }
    if (c === ',') {
      endField()
      i++
      continue
    }
    if (c === '\r' || c === '\n') {
      endRecord()
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      line++
      recordLine = line
      continue
    }
    if (c === '"') return fail('parse', `line ${line}: a quote inside an unquoted field (quote the field)`)
    field += c
    i++
  }
  if (field !== '' || quoted || fields.length > 0) endRecord()
  return ok(records)
}

export function parseCsv(text: string): Result<DataRow[]> {
  const parsed = parseCsvRecords(text)
  if (!parsed.ok) return parsed
  const [header, ...body] = parsed.value
  if (!header) return fail('parse', 'empty: the first line names the columns')
  const names = header.fields.map((h) => h.trim())
  const seen = new Set<string>()
  for (const [i, name] of names.entries()) {
    if (name === '') return fail('parse', `line ${header.line}: column ${i + 1} has no name`)
    if (seen.has(name)) return fail('parse', `line ${header.line}: column "${name}" appears twice`)
    seen.add(name)
  }
  const rows: DataRow[] = []
  for (const r of body) {
    if (r.fields.length !== names.length)
      return fail(
        'parse',
        `line ${r.line} has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, the header has ${names.length}`,
      )
    const row: DataRow = {}
    names.forEach((name, i) => (row[name] = r.fields[i] ?? ''))
    rows.push(row)
  }
  return ok(rows)
}
