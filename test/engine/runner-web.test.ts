import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { WireMessage } from '../../src/shared/contract'
import type { RunProgressEvent } from '../../src/shared/run-schemas'
import type { WebHost } from '../../src/web/server'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { startTempWebHost, type TempWebHost } from '../hosts/temp-web-host'
import { makeService } from './helpers'

/** run.start over the browser host's WebSocket: the run.progress events reach the page like timeline batches. */

let web: TempWebHost
let root: string
let host: WebHost
let server: RunnerServer

beforeAll(async () => {
  server = await startRunnerServer()
  web = await startTempWebHost({
    prefix: 'fd-run-web-',
    files: {
      'renderer/index.html': '<!doctype html><html><body></body></html>',
      'coll/collection.yaml': `flightdeck: 1\nname: Web\n`,
      'coll/ping.yaml': `name: Ping\nurl: ${server.url}/status/204\nassertions:\n  - kind: status\n    equals: 204\n`,
    },
    service: (configDir) => makeService({ configDir, persistWorkspace: false, watchCollections: false }),
  })
  root = web.dir
  host = web.host
})

afterAll(async () => {
  await web?.close()
  await server?.close()
})

describe('run over the browser host', () => {
  it('run.start answers, then run.progress events arrive up to the finished one', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, {
      origin: `http://127.0.0.1:${host.port}`,
    })
    const progress: RunProgressEvent[] = []
    let reply: (WireMessage & { kind: 'reply' }) | null = null
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no finished run.progress within 20 s')), 20_000)
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as WireMessage
        if (msg.kind === 'reply') reply = msg
        if (msg.kind === 'event' && msg.name === 'run.progress') {
          const p = msg.payload as RunProgressEvent
          progress.push(p)
          if (p.finished) {
            clearTimeout(timer)
            resolve()
          }
        }
      })
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const payload = { dir: join(root, 'coll'), path: '', concurrency: 2, iterations: 5 }
    ws.send(JSON.stringify({ kind: 'call', id: 1, name: 'run.start', payload }))
    await finished
    ws.close()
    const r = reply as (WireMessage & { kind: 'reply' }) | null
    expect(r?.result.ok).toBe(true)
    const last = progress[progress.length - 1]
    expect([last?.done, last?.total, last?.passed]).toEqual([5, 5, 5])
    expect(progress.flatMap((p) => p.results).map((x) => x.status)).toEqual([204, 204, 204, 204, 204])
  })
})
