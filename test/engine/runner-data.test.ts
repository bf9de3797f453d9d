import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv, parseCsvRecords, readDataFile } from '../../src/engine/runner/data-file'

/** The data file reader: RFC 4180 CSV (checked against csv-parse on awkward input) and JSON rows. */

// csv-parse comes with newman (a dev dependency): the reference the reader is compared with.
const csvParse = createRequire(import.meta.url)('csv-parse/lib/sync') as (
  text: string,
  options: Record<string, unknown>,
) => string[][]

const dir = mkdtempSync(join(tmpdir(), 'fd-data-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('CSV', () => {
  const cases = [
    'a,b\n1,2\n',
    'a,b\r\n1,2\r\n3,4',
    'name,note\n"Smith, J","said ""hi"""\n',
    'x,y\n"line one\nline two",2\n',
    'x,y\r\n"line one\r\nline two",2\r\n',
    'x,y\n"",\n,""\n',
    'a\n\n1\n\n2\n',
    'a,b,c\n1,,3\n',
    'a,b\n  spaced  , x \n',
    'ü,ß\n€,😀\n',
  ]
  it.each(cases)('reads %j as csv-parse does', (text) => {
    const ours = parseCsvRecords(text)
    if (!ours.ok) throw new Error(ours.error.message)
    const theirs = csvParse(text, { relax_column_count: true, skip_empty_lines: true })
    expect(ours.value.map((r) => r.fields)).toEqual(theirs)
  })

  it('turns rows into objects by header, and refuses malformed files with the line', () => {
    expect(parseCsv('name,city\nada,"London, UK"\n')).toEqual({
      ok: true,
      value: [{ name: 'ada', city: 'London, UK' }],
    })
    const msg = (text: string): string => {
      const r = parseCsv(text)
      return r.ok ? 'ok' : r.error.message
    }
    expect(msg('a,b\n1,2\n3\n')).toBe('line 3 has 1 field, the header has 2')
    expect(msg('a,b\n1,"2\n3,4\n')).toBe('line 2: a quoted field is never closed')
    expect(msg('a,b\n1,2"x\n')).toBe('line 2: a quote inside an unquoted field (quote the field)')
    expect(msg('a,b\n"1"x,2\n')).toMatch(/^line 2: text after a closing quote/)
    expect(msg('a,a\n1,2\n')).toBe('line 1: column "a" appears twice')
    expect(msg('a,\n1,2\n')).toBe('line 1: column 2 has no name')
    expect(msg('')).toBe('empty: the first line names the columns')
    // A multi-line field moves the line count on: the bad record is reported where it starts.
    expect(msg('a,b\n"x\ny",1\n2\n')).toBe('line 4 has 1 field, the header has 2')
  })
})

describe('data files', () => {
  it('reads CSV with a BOM, and JSON arrays of objects with values as text', async () => {
    const csv = join(dir, 'rows.csv')
    writeFileSync(csv, '\uFEFFuser,n\nada,1\n')
    expect(await readDataFile(csv)).toEqual({ ok: true, value: [{ user: 'ada', n: '1' }] })
    const json = join(dir, 'rows.json')
    writeFileSync(json, JSON.stringify([{ user: 'ada', n: 1, ok: true, none: null, tags: ['a'] }]))
    expect(await readDataFile(json)).toEqual({
      ok: true,
      value: [{ user: 'ada', n: '1', ok: 'true', none: '', tags: '["a"]' }],
    })
  })

  it('says what is wrong with a missing or malformed file', async () => {
    const missing = await readDataFile(join(dir, 'nope.csv'))
    expect(!missing.ok && missing.error.code).toBe('not_found')
    const notArray = join(dir, 'obj.json')
    writeFileSync(notArray, '{"a": 1}')
    const r = await readDataFile(notArray)
    expect(!r.ok && r.error.message).toMatch(/obj\.json: expected a JSON array of objects$/)
    const badJson = join(dir, 'bad.json')
    writeFileSync(badJson, '[{"a": 1},')
    const b = await readDataFile(badJson)
    expect(!b.ok && b.error.message).toMatch(/bad\.json: not valid JSON/)
    const item = join(dir, 'item.json')
    writeFileSync(item, '[{"a": 1}, 2]')
    const i = await readDataFile(item)
    expect(!i.ok && i.error.message).toMatch(/item 1 is not an object/)
  })
})
