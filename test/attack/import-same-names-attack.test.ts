import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'

/**
 * A HAR of a page that polls one URL a thousand times and more: every entry is a request of one name. The writer
 * tried each taken file name again for each request (`poll`, `poll-2`, … 1,000 stat calls for the 1,000th) and
 * gave up at 1,000 with "No free name for get-api-poll", a plain error that failed the whole import.
 */

const POLLS = 1_100

function pollingHar(): string {
  const entry = (i: number): unknown => ({
    startedDateTime: '2024-01-01T00:00:00.000Z',
    time: 1,
    request: {
      method: 'GET',
      url: `http://api.example/api/poll?n=${i}`,
      httpVersion: 'HTTP/1.1',
      headers: [],
      queryString: [{ name: 'n', value: String(i) }],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: [],
      cookies: [],
      content: { size: 0, mimeType: 'text/plain' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
    },
    cache: {},
    timings: { send: 0, wait: 1, receive: 0 },
  })
  const entries = Array.from({ length: POLLS }, (_, i) => entry(i))
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'browser', version: '1' }, entries } })
}

/** Every request file under `dir`, read as text. */
function requestFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const at = join(dir, name)
    if (statSync(at).isDirectory()) return requestFiles(at)
    return name.endsWith('.yaml') && name !== 'collection.yaml' && name !== 'folder.yaml'
      ? [readFileSync(at, 'utf8')]
      : []
  })
}

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-same-names-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('an import of more than a thousand requests sharing a name', () => {
  it('writes every one, each to a file of its own', async () => {
    const into = join(root, 'polls')
    const r = await runImport({ text: pollingHar() }, 'auto', into, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.requests).toBe(POLLS)
    const queries = requestFiles(into).map((text) => /n=(\d+)/.exec(text)?.[1])
    expect(new Set(queries).size).toBe(POLLS)
  }, 60_000)
})
