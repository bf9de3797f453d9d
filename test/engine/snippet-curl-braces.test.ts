import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'
import { sendSaved, startStub, type Arrived, type Stub } from './import-formats-helpers'

/**
 * Copy as cURL sends what Send sends: a query's literal `{{` (an escaped `\{{x}}`, as an edited-as-new request
 * brings it back), brackets and braces go on the wire as typed by both, where httpsnippet's command percent-encoded
 * them (and curl, unguarded, would expand `{…}` and `[…]` as its URL globs). The real curl, against the stub.
 */

let stub: Stub
let work: string
let dir: string
let service: EngineService
beforeAll(async () => {
  stub = await startStub()
  work = mkdtempSync(join(tmpdir(), 'fd-curl-braces-'))
  dir = join(work, 'c')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Braces\nvariables:\n  base: ${stub.url}\n`,
  )
  writeFileSync(
    join(dir, 'literal.yaml'),
    `name: Literal\nmethod: GET\nurl: "{{base}}/p/\\\\{{a}}?q=\\\\{{apiKey}}&tags[]=1&r={ok}"\n`,
  )
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
  const opened = await service.invoke('collection.open', { dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(work, { recursive: true, force: true })
})

async function curlSent(path: string): Promise<Arrived> {
  const snippet = await service.invoke('export.request', { dir, path, target: 'curl' })
  if (!snippet.ok) throw new Error(snippet.error.message)
  const before = stub.arrived.length
  await new Promise<void>((resolve, reject) =>
    execFile(
      'sh',
      ['-c', `${snippet.value.text} --silent --show-error`],
      { cwd: dir, timeout: 15_000 },
      (e) => (e ? reject(e) : resolve()),
    ),
  )
  const got = stub.arrived[before]
  if (!got) throw new Error('curl sent nothing')
  return got
}

describe('Copy as cURL and literal braces', { timeout: 30_000 }, () => {
  it('puts the same request line on the wire as Send', async () => {
    const ours = await sendSaved(service, stub, dir, 'literal.yaml')
    expect(ours.url).toBe('/p/%7B%7Ba%7D%7D?q={{apiKey}}&tags[]=1&r={ok}')
    const theirs = await curlSent('literal.yaml')
    expect(theirs.url).toBe(ours.url)
  })
})
