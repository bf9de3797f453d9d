import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { convertSnippet } from '../../src/engine/workers/snippet-tasks'
import { makeService } from '../engine/helpers'

/**
 * A shared collection whose header *name* closes its string in the snippet's language. httpsnippet writes
 * header names into Python, Go, Java and C# double-quoted strings as they are (values are escaped), so Copy as
 * Python of a request with the header `X": __import__("os").system("touch pwned"), "Y` ran `touch` for whoever
 * ran the snippet. A name that is not an HTTP token cannot be sent anyway (the engine refuses it), so no
 * snippet is made for it: the refusal names the header. Token names (quotes of no language among them) are
 * written as before.
 */

const PY_NAME = 'X": __import__("os").system("touch pwned-name"), "Y'

let work: string
let dir: string
let service: EngineService

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fd-attack-snippet-name-'))
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
  dir = join(work, 'shared')
  mkdirSync(dir)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shared\n')
  const save = (file: string, name: string): void =>
    writeFileSync(
      join(dir, file),
      `${JSON.stringify({ name: file, method: 'GET', url: 'http://127.0.0.1:9/', headers: [{ name, value: 'v', enabled: true }] })}\n`,
    )
  save('hostile.yaml', PY_NAME)
  save('token.yaml', "X-Trace_id.v2!#$%&'*+^`|~")
  const opened = await service.invoke('collection.open', { dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
})

afterAll(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

describe('a header name that closes its string in a snippet', () => {
  it('Python: no snippet is made; the refusal names the header, and nothing can run', async () => {
    const s = await service.invoke('export.request', { dir, path: 'hostile.yaml', target: 'python-requests' })
    if (s.ok) {
      // What the person would have run.
      const folder = mkdtempSync(join(work, 'run-'))
      writeFileSync(join(folder, 'snippet.py'), s.value.text)
      await new Promise((resolve) =>
        execFile('python3', ['snippet.py'], { cwd: folder, timeout: 20_000 }, resolve),
      )
      expect(existsSync(join(folder, 'pwned-name')), 'the snippet ran the header name').toBe(false)
    }
    expect(s.ok).toBe(false)
    if (s.ok) return
    expect(s.error.message).toContain('is not an HTTP header name')
  })

  it('Go, Java and C# (Copy as on a timeline row) refuse it too; a token name is written', async () => {
    const har = (name: string) => ({
      method: 'GET',
      url: 'http://127.0.0.1:9/',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [{ name, value: 'v' }],
      queryString: [],
      headersSize: -1,
      bodySize: -1,
      postData: {},
    })
    for (const [target, client] of [
      ['go', 'native'],
      ['java', 'okhttp'],
      ['csharp', 'httpclient'],
    ] as const) {
      await expect(convertSnippet({ har: har(PY_NAME), target, client })).rejects.toThrow(
        /is not an HTTP header name/,
      )
      expect(await convertSnippet({ har: har('X-Trace'), target, client })).toContain('"X-Trace"')
    }
    const token = await service.invoke('export.request', {
      dir,
      path: 'token.yaml',
      target: 'python-requests',
    })
    expect(token.ok && token.value.text).toContain("X-Trace_id.v2!#$%&'*+^`|~")
  })
})
