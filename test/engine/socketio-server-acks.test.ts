import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { parseMessagingArgs } from '../../src/cli/mqtt-socketio-args'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { SocketIoDelivery } from '../../src/shared/socketio'
import type { StreamEntry } from '../../src/shared/streams'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { startSocketIoV3Server, type SocketIoV3Fixture } from '../fixtures/socketio-v3-server'
import { makeService } from './helpers'
import { logUntil as logUntilIn } from './log-until'
import { settle } from './stream-helpers'

/**
 * A server that emits with a callback asks the client for an ack. Without an answer set, the event says the
 * server asked and a note says none was sent; with one (per event, or `*`), it goes back and is shown paired
 * with the event. In the engine, `flightdeck socketio --answer` and a saved request's `acks:` in a run.
 */

let io: SocketIoFixture
let v3: SocketIoV3Fixture
let service: EngineService

beforeAll(async () => {
  io = await startSocketIoServer()
  v3 = await startSocketIoV3Server()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await io.close()
  await v3.close()
})

async function open(p: Partial<CommandRequest<'socketio.open'>> = {}): Promise<string> {
  const r = await service.invoke('socketio.open', {
    url: io.url,
    headers: [],
    query: [],
    listen: [],
    options: { transports: 'websocket' },
    ...p,
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

const logUntil = (sid: string, pred: (e: StreamEntry) => boolean, n = 1, ms = 5000): Promise<StreamEntry[]> =>
  logUntilIn(service, sid, pred, n, ms)

const delivery = (e: StreamEntry | undefined): SocketIoDelivery =>
  JSON.parse(e?.id ?? '{}') as SocketIoDelivery

async function ask(sid: string, q: string): Promise<void> {
  const r = await service.invoke('socketio.emit', {
    sid,
    event: 'ask',
    args: [{ kind: 'text', data: q }],
    ack: false,
  })
  if (!r.ok) throw new Error(r.error.message)
}

describe('acks the server asks for', () => {
  it('without an answer set: the event says the server asked, a note says none was sent', async () => {
    const sid = await open()
    await logUntil(sid, (e) => e.event === 'welcome')
    await ask(sid, 'q1')
    const log = await logUntil(sid, (e) => e.event === 'unanswered')
    const question = log.find((e) => e.event === 'question')
    // The answer function is not an argument: the data is the server's arguments only.
    expect(question?.data).toBe('["q1"]')
    expect(delivery(question)).toMatchObject({ ackAsked: true })
    const note = log.find((e) => e.event === 'ack')
    expect(note).toMatchObject({
      dir: 'in',
      kind: 'control',
      data: 'The server asked for an ack of question: no answer is set for it, none sent',
    })
    expect(delivery(note)).toEqual({ eventSeq: question?.seq, answered: false })
    // Events the server asks no ack for say nothing of one.
    expect(delivery(log.find((e) => e.event === 'welcome')).ackAsked).toBeUndefined()
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('with an answer set for the event: it goes back, shown as an ack paired with the event', async () => {
    const sid = await open({ acks: [{ event: 'question', args: '[{"ok":true}, 2]' }] })
    await logUntil(sid, (e) => e.event === 'welcome')
    await ask(sid, 'q2')
    const log = await logUntil(sid, (e) => e.event === 'answered')
    expect(log.find((e) => e.event === 'answered')?.data).toBe('[{"ok":true},2]')
    const question = log.find((e) => e.event === 'question')
    const answer = log.find((e) => e.event === 'ack')
    expect(answer).toMatchObject({ dir: 'out', kind: 'control', data: '[{"ok":true},2]' })
    expect(delivery(answer)).toEqual({ eventSeq: question?.seq, answered: true })
    expect(answer?.seq).toBe((question?.seq ?? -2) + 1)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('`*` answers any event without its own; a v3 server gets its answer too', async () => {
    const sid = await open({ url: v3.url, acks: [{ event: '*', args: '"any"' }] })
    await logUntil(sid, (e) => e.event === 'welcome')
    await ask(sid, 'q3')
    const log = await logUntil(sid, (e) => e.event === 'answered')
    expect(log.find((e) => e.event === 'answered')?.data).toBe('["any"]')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('an answer that is not JSON is refused at open, naming its event', async () => {
    const r = await service.invoke('socketio.open', {
      url: io.url,
      headers: [],
      query: [],
      listen: [],
      acks: [{ event: 'question', args: '{oops' }],
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(r.ok ? '' : r.error.message).toMatch(/^The ack answer for question is not JSON: /)
  })
})

describe('flightdeck socketio --answer', () => {
  it('reads EVENT JSON, refuses bad JSON and a second answer for one event', () => {
    expect(parseMessagingArgs(['socketio', 'http://h', '--answer', 'question {"ok":1}'])).toMatchObject({
      answers: [{ event: 'question', args: '{"ok":1}' }],
    })
    expect(parseMessagingArgs(['socketio', 'http://h', '--answer', 'q {x'])).toEqual({
      kind: 'error',
      message: '--answer q: not JSON: {x',
    })
    expect(parseMessagingArgs(['socketio', 'http://h', '--answer', 'q 1', '--answer', 'q 2'])).toEqual({
      kind: 'error',
      message: '--answer q is given twice',
    })
    expect(parseMessagingArgs(['mqtt', 'mqtt://h', '--answer', 'q 1'])).toEqual({
      kind: 'error',
      message: '--answer is a socketio option',
    })
  })

  it('answers the server, and prints the ask and the answer', async () => {
    let out = ''
    const io2 = { out: (t: string) => void (out += t), err: () => undefined }
    const code = await runCli(
      [
        'socketio',
        io.url,
        '--emit',
        'ask "q4"',
        '--answer',
        'question {"ok":4}',
        '--json',
        '--duration',
        '1.5',
      ],
      io2,
    )
    expect(code).toBe(0)
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.find((l) => l['event'] === 'question')).toMatchObject({ ackAsked: true, args: ['q4'] })
    expect(lines.find((l) => l['type'] === 'control' && l['name'] === 'ack')).toMatchObject({
      dir: 'out',
      answered: true,
      text: '[{"ok":4}]',
    })
    expect(lines.find((l) => l['event'] === 'answered')).toMatchObject({ args: [{ ok: 4 }] })

    out = ''
    await runCli(['socketio', io.url, '--emit', 'ask "q5"', '--max', '3'], io2)
    expect(out).toMatch(/← question \[server asked for an ack\] \(\d+ B\) \["q5"\]/)
    expect(out).toContain('ack The server asked for an ack of question: no answer is set for it, none sent')
  })
})

describe('a saved request with acks: in a run', () => {
  it('answers the server as the file says, and a bad answer fails the step in words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-io-acks-'))
    const configDir = mkdtempSync(join(tmpdir(), 'fd-io-acks-config-'))
    try {
      writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Acks\nvariables:\n  io: ${io.url}\n`)
      mkdirSync(join(dir, 'io'))
      const request = (name: string, answer: string): string =>
        [
          `name: ${name}`,
          'kind: socketio',
          'url: "{{io}}"',
          'socketio:',
          '  listen: [answered]',
          '  emits:',
          '    - name: ask',
          '      event: ask',
          '      args: \'"q6"\'',
          '      ack: false',
          '  acks:',
          '    - event: question',
          `      args: '${answer}'`,
          'stop:',
          '  match: \'"from-file"\'',
          '  durationMs: 3000',
          '',
        ].join('\n')
      writeFileSync(join(dir, 'io', '1-answers.yaml'), request('Answers', '{"from-file":true}'))
      writeFileSync(join(dir, 'io', '2-bad.yaml'), request('Bad', '{nope'))
      const out = mkdtempSync(join(tmpdir(), 'fd-io-acks-out-'))
      const saved = process.env['FLIGHTDECK_CONFIG_DIR']
      process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
      let code: number
      try {
        code = await runRunCli([dir, '--reporter', 'json', '--out', out], {
          out: () => undefined,
          err: () => undefined,
        })
      } finally {
        if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
        else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
      }
      const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      rmSync(out, { recursive: true, force: true })
      const rows = json.results.map((r) => [r.path, r.passed, r.error?.code, r.error?.message])
      expect(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
        ['io/1-answers.yaml', true, undefined, undefined],
        [
          'io/2-bad.yaml',
          false,
          'invalid_request',
          expect.stringMatching(/^socketio.acks: The ack answer for question is not JSON/) as unknown,
        ],
      ])
      expect(code).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(configDir, { recursive: true, force: true })
    }
  })
})
