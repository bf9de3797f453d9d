import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadCollection, ParseCache, scannedRequest } from '../../src/engine/collections/loader'
import { readSmallListedText } from '../../src/engine/collections/listed-file-read'

/**
 * A collection opened with nothing to rescan it (no watcher: `flightdeck run`) reads its small files without
 * their stats (./parse-cache.ts, ./listed-file-read.ts). What it loads must be what a scan that keeps stats
 * loads, for every file that path could meet: an empty one, one over its 64 KiB buffer, a folder, a pipe or a
 * link named like a request. And a later rescan must still see an edit that left the size and mtime alone.
 */

const root = mkdtempSync(join(tmpdir(), 'fd-stats-free-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function request(name: string, url: string, extra = ''): string {
  return `name: ${name}\nmethod: GET\nurl: "${url}"\nassertions:\n  - kind: status\n    equals: 200\n${extra}`
}

function collection(dir: string): void {
  mkdirSync(join(dir, 'folder'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'name: Stats free\nvariables:\n  baseUrl: http://127.0.0.1:1\n')
  writeFileSync(join(dir, 'plain.yaml'), request('Plain', '{{baseUrl}}/plain'))
  writeFileSync(join(dir, 'folder', 'nested.yaml'), request('Nested', '{{baseUrl}}/nested'))
  writeFileSync(join(dir, 'empty.yaml'), '')
  // Over the 64 KiB the stats-free read takes: read the way that looks at its stats, to the same request.
  writeFileSync(
    join(dir, 'big.yaml'),
    request('Big', '{{baseUrl}}/big', `description: "${'x'.repeat(60_000)}"\n`),
  )
  writeFileSync(
    join(dir, 'huge.yaml'),
    request('Huge', '{{baseUrl}}/huge', `body:\n  kind: json\n  text: "${'y'.repeat(70_000)}"\n`),
  )
  mkdirSync(join(dir, 'a-folder.yaml'))
  execFileSync('mkfifo', [join(dir, 'pipe.yaml')])
  symlinkSync(join(dir, 'plain.yaml'), join(dir, 'link.yaml'))
  writeFileSync(join(dir, 'broken.yaml'), 'name: [unclosed\n')
}

describe('a collection read without its files’ stats', () => {
  const dir = join(root, 'c')
  collection(dir)

  it('loads what a scan that keeps stats loads: requests, tree and problems', async () => {
    const kept = await loadCollection(dir, new ParseCache())
    const statsFree = new ParseCache({ keepStats: false })
    const free = await loadCollection(dir, statsFree)
    expect(free.info).toEqual(kept.info)
    expect(free.info.requestCount).toBe(kept.info.requestCount)
    const problems = free.info.problems.map((p) => `${p.path}: ${p.message}`)
    expect(problems.some((p) => p.startsWith('broken.yaml:'))).toBe(true)
    expect(scannedRequest(statsFree, dir, 'huge.yaml')?.body).toEqual({
      kind: 'json',
      text: 'y'.repeat(70_000),
    })
    expect(scannedRequest(statsFree, dir, 'empty.yaml')?.name).toBe('empty')
    expect(scannedRequest(statsFree, dir, 'folder/nested.yaml')?.url).toBe('{{baseUrl}}/nested')
  })

  it('sees on a rescan an edit that kept the size and the mtime, and counts nothing else changed', async () => {
    const file = join(dir, 'folder', 'nested.yaml')
    const cache = new ParseCache({ keepStats: false })
    await loadCollection(dir, cache)
    await loadCollection(dir, cache)
    expect(cache.changed).toEqual([])
    const when = new Date('2024-01-02T03:04:05Z')
    utimesSync(file, when, when)
    writeFileSync(file, request('Nested', '{{baseUrl}}/NESTED'))
    utimesSync(file, when, when)
    const again = await loadCollection(dir, cache)
    expect(cache.changed).toEqual(['folder/nested.yaml'])
    expect(scannedRequest(cache, dir, 'folder/nested.yaml')?.url).toBe('{{baseUrl}}/NESTED')
    expect(again.info.requestCount).toBeGreaterThan(0)
  })
})

describe('readSmallListedText', () => {
  const dir = join(root, 'c')

  it('gives a small regular file’s text, and null for anything it cannot vouch for', () => {
    expect(readSmallListedText(join(dir, 'plain.yaml'))).toBe(request('Plain', '{{baseUrl}}/plain'))
    // Each of these goes to the read that looks at its stats: a link (which it would follow), a folder, a pipe
    // (no writer: a read would wait or see nothing), an empty file, one over the buffer, a name gone.
    for (const name of ['link.yaml', 'a-folder.yaml', 'pipe.yaml', 'empty.yaml', 'huge.yaml', 'gone.yaml'])
      expect(readSmallListedText(join(dir, name)), name).toBeNull()
  })
})
