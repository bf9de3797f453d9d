import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'

/**
 * A run's MQTT step resolves `{{variables}}` in its topic filters as a session opened in the app does: a step that
 * subscribes `{{room}}/#` and publishes to `lobby/x` gets its own message back. Real mosquitto on 127.0.0.1, the
 * CLI's run command in process.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT run variable test: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture | null = null
let dir: string
let configDir: string
let out: string

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto()
  dir = mkdtempSync(join(tmpdir(), 'fd-run-msg-vars-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-msg-vars-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-run-msg-vars-out-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Vars\nvariables:\n  broker: ${broker.url}\n  room: lobby\n  cid: fd-run-vars\n`,
  )
  mkdirSync(join(dir, 'mq'))
  writeFileSync(
    join(dir, 'mq', 'filter.yaml'),
    [
      'name: Filter',
      'kind: mqtt',
      'url: "{{broker}}"',
      'mqtt:',
      '  options:',
      '    clientId: "{{cid}}"',
      '  subscriptions:',
      '    - topic: "{{room}}/#"',
      '      qos: 0',
      '  publishes:',
      '    - name: one',
      '      topic: "{{room}}/x"',
      '      payload: hello',
      '      qos: 0',
      '      retain: false',
      'stop:',
      '  count: 1',
      '  durationMs: 3000',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await broker?.close()
  for (const d of [dir, configDir, out]) if (d) rmSync(d, { recursive: true, force: true })
})

describe.skipIf(!MOSQUITTO)('flightdeck run: an MQTT step resolves its topic filters', () => {
  it('subscribes {{room}}/# as lobby/# and gets its own lobby/x publish back', async () => {
    let stdout = ''
    const cap = { out: (t: string) => void (stdout += t), err: (t: string) => void (stdout += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'mq', '--reporter', 'cli,json', '--out', out], cap)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect(json.results.map((r) => [r.path, r.passed, r.error?.message ?? null])).toEqual([
      ['mq/filter.yaml', true, null],
    ])
    expect(code, stdout).toBe(0)
  }, 20_000)
})
