import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startSocketIoV2Stub, type SocketIoV2Stub } from '../fixtures/socketio-v2-stub'

/**
 * A saved Socket.IO request aimed at a v2 server, in a run: whatever its stop condition (a duration alone, which
 * a quiet server meets), the step fails naming the version, and the run exits 1.
 */
let v2: SocketIoV2Stub
let dir: string
let configDir: string
let out: string

beforeAll(async () => {
  v2 = await startSocketIoV2Stub()
  dir = mkdtempSync(join(tmpdir(), 'fd-run-v2-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-v2-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-run-v2-out-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: Old\nvariables:\n  io: ${v2.url}\n`)
  file(
    'io/1-duration.yaml',
    'name: For a while\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  listen: []\n  emits: []\nstop:\n  durationMs: 300\n',
  )
  file(
    'io/2-websocket.yaml',
    'name: WebSocket only\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  listen: []\n  emits: []\n  options:\n    transports: websocket\nstop:\n  durationMs: 300\n',
  )
})

afterAll(async () => {
  await v2.close()
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('flightdeck run: a Socket.IO step against a v2 server', () => {
  it('fails, naming the version, and the run exits 1', async () => {
    let stdout = ''
    const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stdout += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'io', '--reporter', 'cli,json', '--out', out], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect(code, stdout).toBe(1)
    expect(json.results.length).toBe(2)
    for (const r of json.results) {
      expect(r.passed, r.path).toBe(false)
      expect(r.error?.message ?? '', r.path).toMatch(/Socket\.IO v2/)
    }
  })
})
