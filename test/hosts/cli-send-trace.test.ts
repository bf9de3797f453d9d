import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs } from '../../src/cli/args'
import type { JsonReport } from '../../src/cli/report'
import { runSend } from '../../src/cli/send-command'
import type { RequestSentEvent } from '../../src/shared/timeline'
import { startTraceServer, type TraceServer } from '../fixtures/trace-server'

/** `flightdeck send --trace` and `--json`'s traceId, against a server that echoes what it received. */

const USER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
let server: TraceServer
let dir: string
let configDir: string
let saved: string | undefined

beforeAll(async () => {
  server = await startTraceServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-send-trace-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-send-trace-config-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Traced\ntrace: per-send\n')
  writeFileSync(join(dir, 'echo.yaml'), `name: echo\nmethod: GET\nurl: ${server.url}/echo\n`)
  writeFileSync(join(dir, 'quiet.yaml'), `name: quiet\nmethod: GET\nurl: ${server.url}/echo\ntrace: off\n`)
  saved = process.env['FLIGHTDECK_CONFIG_DIR']
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
})
afterAll(async () => {
  if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
  else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
  await server.close()
  for (const d of [dir, configDir]) rmSync(d, { recursive: true, force: true })
})

async function send(...args: string[]): Promise<{ report: JsonReport; sent: string | undefined }> {
  const cmd = parseCliArgs(['send', '--json', ...args])
  if (cmd.kind !== 'send' && cmd.kind !== 'send-saved') throw new Error(`not a send: ${JSON.stringify(cmd)}`)
  let out = ''
  let err = ''
  const code = await runSend(cmd, { out: (t) => void (out += t), err: (t) => void (err += t) })
  expect(err).toBe('')
  expect(code).toBe(0)
  const report = JSON.parse(out) as JsonReport
  const sentEvent = report.timeline.find((e): e is RequestSentEvent => e.type === 'request-sent')
  const sent = sentEvent?.headers.find(([k]) => k.toLowerCase() === 'traceparent')?.[1]
  return { report, sent }
}

describe('flightdeck send and trace context', { timeout: 20_000 }, () => {
  it('--trace sends a well-formed traceparent and --json names its trace id', async () => {
    const { report, sent } = await send('--trace', `${server.url}/echo`)
    expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(report.traceId).toBe(sent?.split('-')[1])
  })

  it('without --trace nothing is added; a traceparent given with -H is sent as written and named', async () => {
    const plain = await send(`${server.url}/echo`)
    expect(plain.sent).toBeUndefined()
    expect(plain.report.traceId).toBeUndefined()
    const own = await send('--trace', '-H', `traceparent: ${USER}`, `${server.url}/echo`)
    expect(own.sent).toBe(USER)
    expect(own.report.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })

  it("a saved request follows its collection's trace: setting; trace: off wins over --trace", async () => {
    const traced = await send('--collection', dir, '--request', 'echo')
    expect(traced.report.traceId).toMatch(/^[0-9a-f]{32}$/)
    const quiet = await send('--collection', dir, '--request', 'quiet', '--trace')
    expect(quiet.sent).toBeUndefined()
  })
})
