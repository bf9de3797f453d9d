import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { StepResultSummary } from '../../src/shared/run-schemas'
import { startHeldDelayServer, type HeldDelayServer } from '../fixtures/held-delay-server'
import { signInRequestYaml, startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { makeService, sleep } from './helpers'

/**
 * A run's Cancel fails the steps it cuts short with the code `cancelled` (their own words kept), whatever they
 * waited for: an OAuth 2.0 sign-in (which ends saying "the sign-in was cancelled" and was reported as an `auth`
 * failure) or a request in flight. A step that failed before the Cancel keeps its own code. Real servers on
 * 127.0.0.1: an authorization server nobody signs in at, a server that holds its answer, a port that refuses.
 */

let oauth: OAuthServer
let held: HeldDelayServer
let refusedPort = 0
let root = ''
const services: EngineService[] = []

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

beforeAll(async () => {
  oauth = await startOAuthServer()
  held = await startHeldDelayServer()
  refusedPort = await closedPort()
  root = mkdtempSync(join(tmpdir(), 'fd-run-cancel-code-'))
  writeFileSync(
    join(root, 'collection.yaml'),
    `flightdeck: 1\nname: Cancel\nvariables:\n  base: ${oauth.url}\n`,
  )
  writeFileSync(join(root, 'signin.yaml'), signInRequestYaml('Sign in'))
  // Run in file order at concurrency 1: the refused one fails first, the held one is cut short.
  mkdirSync(join(root, 'pair'))
  writeFileSync(
    join(root, 'pair', 'a-refused.yaml'),
    `name: A refused\nmethod: GET\nurl: http://127.0.0.1:${refusedPort}/\n`,
  )
  writeFileSync(join(root, 'pair', 'b-held.yaml'), `name: B held\nmethod: GET\nurl: ${held.url}/delay?ms=0\n`)
})

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()))
  oauth.reset()
})

afterAll(async () => {
  await oauth.close()
  await held.close()
  rmSync(root, { recursive: true, force: true })
})

/** Polls `get` every 20 ms for up to 5 s. */
async function eventually<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const v = get()
    if (v !== undefined) return v
    await sleep(20)
  }
  throw new Error('not within 5 s')
}

/** Starts a run of `path`, waits for `ready`, cancels it and returns its step results' errors, in order. */
async function cancelled(
  service: EngineService,
  path: string,
  ready: () => boolean,
): Promise<StepResultSummary['error'][]> {
  expect((await service.invoke('collection.open', { dir: root })).ok).toBe(true)
  const started = await service.invoke('run.start', { dir: root, path, concurrency: 1, iterations: 1 })
  if (!started.ok) throw new Error(started.error.message)
  const runId = started.value.runId
  await eventually(() => (ready() ? true : undefined))
  expect(await service.invoke('run.cancel', { runId })).toEqual({ ok: true, value: { cancelled: true } })
  await service.waitForRun(runId)
  const snap = service.runSnapshot(runId)
  if (!snap.ok) throw new Error(snap.error.message)
  expect(snap.value.finished?.cancelled).toBe(true)
  expect(snap.value.results.map((r) => r.passed)).not.toContain(true)
  return snap.value.results.map((r) => r.error)
}

describe("a run's Cancel: the steps it cut short fail as cancelled", () => {
  it('a step waiting for an OAuth 2.0 sign-in: cancelled, not an auth failure', async () => {
    const opened: string[] = []
    const service = makeService({
      watchCollections: false,
      persistWorkspace: false,
      oauthTimeoutMs: 15_000,
      oauthSignIn: (url) => void opened.push(url),
    })
    services.push(service)
    const errors = await cancelled(service, 'signin.yaml', () => opened.length > 0)
    expect(errors).toEqual([{ code: 'cancelled', message: 'OAuth 2.0: the sign-in was cancelled' }])
  })

  it('a request in flight is cancelled; a step that failed before the Cancel keeps its own code', async () => {
    const service = makeService({ watchCollections: false, persistWorkspace: false })
    services.push(service)
    const errors = await cancelled(service, 'pair', () => held.held() === 1)
    expect(errors.map((e) => e?.code)).toEqual(['refused', 'cancelled'])
  })
})
