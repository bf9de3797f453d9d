import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { headerOf, pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { isolatedService } from './helpers'

/**
 * Secret variables with no value on this machine, through the service: the app (its default) sends a request
 * that uses one with it empty, as it sends any empty variable; a host that refuses them (the CLI) refuses a
 * request that uses one at any depth, and not one whose data row gives it a value. Each secret a send used is
 * told once. What went out is checked at a real server.
 */

let server: RawServer
let root: string
let dir: string
let service: EngineService

function auths(path: string): (string | null)[] {
  return server.heads.filter((h) => pathOf(h).startsWith(path)).map((h) => headerOf(h, 'authorization'))
}

async function runAll(dataFile?: string): Promise<{ passed: boolean; error?: string }[]> {
  const started = await service.invoke('run.start', {
    dir,
    path: 'nested.yaml',
    env: 'ci',
    concurrency: 1,
    iterations: 1,
    ...(dataFile ? { dataFile } : {}),
  })
  if (!started.ok) throw new Error(started.error.message)
  const report = await service.waitForRun(started.value.runId)
  return (report?.results ?? []).map((r) => ({
    passed: r.passed,
    ...(r.error ? { error: r.error.message } : {}),
  }))
}

beforeAll(async () => {
  server = await startRawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  root = mkdtempSync(join(tmpdir(), 'fd-empty-secrets-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  // `auth` is not secret, but its value uses the secret `token`: a request using {{auth}} uses token.
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Nest\nid: nest\nvariables:\n  base: ${server.url}\n  auth: 'Bearer {{token}}'\n`,
  )
  writeFileSync(join(dir, 'environments', 'ci.yaml'), 'name: ci\nvariables:\n  token:\n    secret: true\n')
  writeFileSync(
    join(dir, 'nested.yaml'),
    "name: Nested\nmethod: GET\nurl: '{{base}}/nested'\nheaders:\n  - name: Authorization\n    value: '{{auth}}'\n",
  )
  writeFileSync(join(root, 'rows.csv'), 'token\nfrom-row\n')
})

beforeEach(() => {
  server.heads.length = 0
  service = isolatedService(root)
})

afterEach(async () => {
  await service.dispose()
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('a secret with no value on this machine', () => {
  it('the app sends it empty, and is told which secret it used', async () => {
    const told: string[] = []
    await service.variablesForSession({ onEmptySecret: (name, where) => told.push(`${name} ${where}`) })
    expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
    const sent = await service.invoke('request.send', {
      request: {
        method: 'GET',
        url: '{{base}}/nested',
        headers: [{ name: 'Authorization', value: '{{auth}}', enabled: true }],
        body: { kind: 'none' },
        options: {},
      },
      auth: { type: 'none' },
      context: { dir, path: 'nested.yaml', env: 'ci' },
    })
    expect(sent.ok ? 'sent' : sent.error.message).toBe('sent')
    if (sent.ok) await service.waitForExchange(sent.value.sids[0] ?? '')
    expect(auths('/nested')).toEqual(['Bearer '])
    expect(told).toEqual(['token environment "ci"'])
  })

  it('refused: a request that uses it through another variable fails unsent, naming it', async () => {
    await service.variablesForSession({ emptySecrets: 'refuse' })
    expect(await runAll()).toEqual([
      {
        passed: false,
        error:
          'Secret variable {{token}} (environment "ci") has no value on this machine; give it with --env-var token=… or store it in the app',
      },
    ])
    expect(server.heads).toEqual([])
  })

  it('refused, but a data row gives it a value: that is sent', async () => {
    const told: string[] = []
    await service.variablesForSession({ emptySecrets: 'refuse', onEmptySecret: (name) => told.push(name) })
    expect(await runAll(join(root, 'rows.csv'))).toEqual([{ passed: true }])
    expect(auths('/nested')).toEqual(['Bearer from-row'])
    expect(told).toEqual([])
  })
})
