import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * What `flightdeck` prints to a terminal, from a hostile server or a hostile shared collection: text carrying
 * ESC sequences (OSC 52 writes the clipboard, CSI 2J clears the screen, OSC 8 hides a link's target), a lone CR
 * that lets the rest of a line overwrite what came before it, and the one-character C1 CSI (U+009B). None of
 * it may reach the terminal as a control character: each is printed as a visible escape (`\x1b`, `\r`,
 * `\u009b`), so a person sees that the server sent it.
 */

const ESC = '\x1b'
const OSC52 = `${ESC}]52;c;cm0gLXJmIH4K\x07`
const CLEAR = `${ESC}[2J`
const LINK = `${ESC}]8;;http://127.0.0.1:1/evil${ESC}\\safe${ESC}]8;;${ESC}\\`
const C1_CSI = '\u009b31m'
/** DEL: JSON.stringify leaves it raw, so its escape must be one JSON reads too. */
const DEL = '\x7f'

/** Control characters a terminal obeys: all but tab and newline, DEL, and C1. */
// eslint-disable-next-line no-control-regex -- the characters the output must not hold
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/

function expectNoControls(run: CliProcessRun): void {
  for (const [name, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const at = CONTROL.exec(text)
    expect(
      at,
      at
        ? `${name} holds U+${at[0].charCodeAt(0).toString(16)} near ${JSON.stringify(text.slice(at.index - 40, at.index + 40))}`
        : '',
    ).toBeNull()
  }
}

let root: string
let raw: RawServer
let wss: WebSocketServer
let grpc: GrpcTestServer

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root })
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-terminal-'))
  raw = await startRawServer((socket, head) => {
    if (pathOf(head) === '/sse')
      socket.end(
        'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n' +
          `event: x${OSC52}\ndata: before${CLEAR}${C1_CSI}red ${LINK}${DEL}\n\n`,
      )
    else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
  })
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (socket) => {
    socket.send(`text${OSC52}over\rwritten`)
    socket.close(4000, `bye${CLEAR}`)
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  grpc = await startGrpcServer()
})

afterAll(async () => {
  await raw.close()
  await new Promise<void>((resolve) => wss.close(() => resolve()))
  for (const client of wss.clients) client.terminate()
  await grpc.close()
  rmSync(root, { recursive: true, force: true })
})

describe('terminal escapes from a hostile server or collection, printed by the CLI', () => {
  it('sse: an event name with OSC 52 and data with CSI, C1 CSI and an OSC 8 link are shown as escapes', async () => {
    const run = await flightdeck(['sse', `${raw.url}/sse`, '--max', '1'])
    expect(run.code).toBe(0)
    expectNoControls(run)
    expect(run.stdout).toContain('x\\x1b]52;c;cm0gLXJmIH4K\\x07')
    expect(run.stdout).toContain('before\\x1b[2J\\u009b31mred')
  })

  it('sse --json: the same event is printed as JSON that reads back to exactly what the server sent', async () => {
    const run = await flightdeck(['sse', `${raw.url}/sse`, '--max', '1', '--json'])
    expect(run.code).toBe(0)
    expectNoControls(run)
    const lines = run.stdout.split('\n').filter((line) => line !== '')
    const messages = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((m) => m['type'] === 'message')
    expect(messages).toHaveLength(1)
    expect(messages[0]?.['event']).toBe(`x${OSC52}`)
    expect(messages[0]?.['data']).toBe(`before${CLEAR}${C1_CSI}red ${LINK}${DEL}`)
  })

  it('ws: a text message with OSC 52 and a lone CR, and a close reason with CSI 2J, are shown as escapes', async () => {
    const port = (wss.address() as AddressInfo).port
    const run = await flightdeck(['ws', `ws://127.0.0.1:${port}/`])
    expect(run.code).toBe(0)
    expectNoControls(run)
    expect(run.stdout).toContain('text\\x1b]52;c;cm0gLXJmIH4K\\x07over\\rwritten')
    expect(run.stdout).toContain('bye\\x1b[2J')
  })

  it('grpc: a status message with ESC (percent-decoded from grpc-message) is shown as escapes', async () => {
    const data = JSON.stringify({ code: 9, message: `quota${OSC52}${CLEAR}gone` })
    const run = await flightdeck([
      'grpc',
      '--plaintext',
      grpc.target,
      'flightdeck.test.Echo/Fail',
      '-d',
      data,
    ])
    expect(run.code).not.toBe(0)
    expectNoControls(run)
    expect(`${run.stdout}${run.stderr}`).toContain('quota\\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b[2Jgone')
  })

  it('run: a shared collection whose request file name holds CSI 2J and a CR is printed with them as escapes', async () => {
    const dir = join(root, 'hostile')
    mkdirSync(dir)
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shared\n')
    // A file name may hold any byte but / and NUL: a shared archive or repository can carry this one.
    writeFileSync(join(dir, `ok${CLEAR}\rALL PASSED.yaml`), `name: Ok\nmethod: GET\nurl: '${raw.url}/ok'\n`)
    const run = await flightdeck(['run', dir])
    expect(run.code).toBe(0)
    expectNoControls(run)
    expect(run.stdout).toContain('ok\\x1b[2J\\rALL PASSED.yaml')
  })
})
