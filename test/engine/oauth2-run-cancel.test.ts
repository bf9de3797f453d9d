import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService, EngineServiceOptions } from '../../src/engine/service'
import { signInRequestYaml, startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { makeService, sleep } from './helpers'
import { portRefused } from '../fixtures/port-refused'

/**
 * Cancelling a run (the app's Cancel run: `run.cancel`) while a step waits for an OAuth 2.0 sign-in (authorization
 * code) ends that wait at once: the loopback listener closes (its port refuses connections), and the step says the
 * sign-in was cancelled rather than failing later with the sign-in timeout. The authorization server is a real one
 * on 127.0.0.1 (test/fixtures/oauth-server.ts); nobody signs in.
 */

/** Long enough that a wait left open is plainly not ended by it, short enough to bound the test if it is. */
const SIGN_IN_TIMEOUT_MS = 15_000
const CLOSED_WITHIN_MS = SIGN_IN_TIMEOUT_MS / 3

let server: OAuthServer
let root = ''
const services: EngineService[] = []

beforeAll(async () => {
  server = await startOAuthServer()
  root = mkdtempSync(join(tmpdir(), 'fd-oauth-run-cancel-'))
  writeFileSync(
    join(root, 'collection.yaml'),
    `flightdeck: 1\nname: OAuth\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(join(root, 'a.yaml'), signInRequestYaml('First'))
  writeFileSync(join(root, 'b.yaml'), signInRequestYaml('Second'))
})

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()))
  server.reset()
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

function serviceWith(options: Partial<EngineServiceOptions>): EngineService {
  const s = makeService({
    watchCollections: false,
    persistWorkspace: false,
    oauthTimeoutMs: SIGN_IN_TIMEOUT_MS,
    ...options,
  })
  services.push(s)
  return s
}

/** The port of the redirect URI in the authorization URL the server was sent to (or would be). */
const portOf = (authorizationUrl: string): number =>
  Number(new URL(new URL(authorizationUrl).searchParams.get('redirect_uri') ?? '').port)

/** Polls `get` every 20 ms for up to 5 s. */
async function eventually<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const v = get()
    if (v !== undefined) return v
    await sleep(20)
  }
  throw new Error('not within 5 s')
}

/**
 * Cancels `runId`, then says whether the listener on `port` refused within CLOSED_WITHIN_MS, and how the run
 * ended. The bound is a third of the sign-in's own timeout, so a close by that timeout cannot pass for one by the
 * cancel, and a loaded machine has seconds to spare.
 */
async function cancelAndWatch(service: EngineService, runId: string, port: number) {
  expect(await portRefused(port, 1000)).toBe(false)
  const cancelledAt = Date.now()
  expect(await service.invoke('run.cancel', { runId })).toEqual({ ok: true, value: { cancelled: true } })
  let closed = false
  while (!closed && Date.now() - cancelledAt < CLOSED_WITHIN_MS) closed = await portRefused(port, 1000)
  const closedWithin = Date.now() - cancelledAt
  await service.waitForRun(runId)
  const snap = service.runSnapshot(runId)
  if (!snap.ok) throw new Error(snap.error.message)
  return { closed, closedWithin, snap: snap.value }
}

describe('a run cancelled during an OAuth 2.0 sign-in', () => {
  it('desktop app (the page opened in the browser): the wait ends, the listener closes, the step says cancelled', async () => {
    const opened: string[] = []
    const service = serviceWith({ oauthSignIn: (url) => void opened.push(url) })
    expect((await service.invoke('collection.open', { dir: root })).ok).toBe(true)
    const started = await service.invoke('run.start', {
      dir: root,
      path: 'a.yaml',
      concurrency: 1,
      iterations: 1,
    })
    if (!started.ok) throw new Error(started.error.message)
    const url = await eventually(() => opened[0])

    const { closed, closedWithin, snap } = await cancelAndWatch(service, started.value.runId, portOf(url))

    expect(closed).toBe(true)
    expect(closedWithin).toBeLessThan(CLOSED_WITHIN_MS)
    expect(snap.finished?.cancelled).toBe(true)
    expect(snap.results.map((r) => r.error?.message)).toEqual(['OAuth 2.0: the sign-in was cancelled'])
    expect(server.forms).toHaveLength(0)
  })

  it('browser host: the sign-in a step announced and the next step waits for ends with the run', async () => {
    const service = serviceWith({})
    expect((await service.invoke('collection.open', { dir: root })).ok).toBe(true)
    const started = await service.invoke('run.start', { dir: root, path: '', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const runId = started.value.runId
    // The first step fails saying where to sign in; the second waits for that sign-in.
    const url = await eventually(() => {
      const snap = service.runSnapshot(runId)
      const message = snap.ok ? snap.value.results[0]?.error?.message : undefined
      return /sign in at (\S+) \(within/.exec(message ?? '')?.[1]
    })

    const { closed, closedWithin, snap } = await cancelAndWatch(service, runId, portOf(url))

    expect(closed).toBe(true)
    expect(closedWithin).toBeLessThan(CLOSED_WITHIN_MS)
    expect(snap.finished?.cancelled).toBe(true)
    expect(snap.results[1]?.error?.message).toBe('OAuth 2.0: the sign-in was cancelled')
  })
})
