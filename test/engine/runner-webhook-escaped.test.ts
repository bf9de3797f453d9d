import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { planRun } from '../../src/engine/runner/plan'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'
import { startStub, type Stub } from './import-formats-helpers'

/**
 * `\{{$webhook}}` sends the literal braces (src/shared/template-scan.ts), so a run does not take it for a use of
 * the webhook inbox: no inbox is opened for it, and `waitForWebhook` is refused as for a request without one.
 */

let stub: Stub
let dir: string
let svc: EngineService
beforeAll(async () => {
  stub = await startStub()
  dir = mkdtempSync(join(tmpdir(), 'fd-run-hook-escaped-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: Escaped\nvariables:\n  base: ${stub.url}\n`)
  file(
    'literal/send.yaml',
    `name: Literal\nmethod: POST\nurl: "{{base}}/notes"\nbody:\n  kind: json\n  text: '{"callback": "\\{{$webhook}}"}'\n`,
  )
  file(
    'waits/wait.yaml',
    `name: Wait\nmethod: POST\nurl: "{{base}}/notes?cb=\\\\{{ $webhook }}"\nwaitForWebhook:\n  timeoutMs: 100\n`,
  )
})
afterEach(async () => {
  await svc.dispose()
})
afterAll(async () => {
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('escaped {{$webhook}} in a run', { timeout: 20_000 }, () => {
  it('opens no inbox and sends the braces as typed', async () => {
    svc = makeService({ watchCollections: false, persistWorkspace: false })
    const started = await svc.invoke('run.start', { dir, path: 'literal', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    expect(started.value.webhookInbox).toBeUndefined()
    const report = await svc.runs.wait(started.value.runId)
    expect(report?.results[0]?.passed).toBe(true)
    expect(stub.arrived.at(-1)?.body).toBe('{"callback": "{{$webhook}}"}')
    const status = await svc.invoke('webhook.status', {})
    expect(status.ok && status.value.running).toBe(false)
  })

  it('refuses waitForWebhook on a request whose only {{$webhook}} is escaped', async () => {
    svc = makeService({ watchCollections: false, persistWorkspace: false })
    const plan = await planRun(svc.collections, dir, 'waits', undefined)
    expect(plan.ok ? '' : plan.error.message).toBe(
      'waits/wait.yaml: waitForWebhook needs the request to carry {{$webhook}} (in its URL, a header or the body), so the call can be matched to it',
    )
  })
})
