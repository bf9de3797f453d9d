import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * Unicode's bidirectional controls from a hostile server, printed by the CLI. A terminal that lays out
 * right-to-left text (GNOME's VTE, Konsole, mlterm) obeys RLO (U+202E): `abc<RLO>gpj.exe` is drawn as
 * `abcexe.jpg`, so a header value or an SSE event shows other text than it holds. The engine decodes header
 * values as UTF-8, so a server's bytes E2 80 AE reach the CLI as RLO. They were printed raw; each is now shown
 * as `\u202e`, as the CLI already shows C0 and C1 controls (cli-terminal-escapes-attack), and `--json` still
 * reads back to what the server sent. So is every other format character a terminal draws as nothing: a
 * zero-width space (`acct<U+200B>42` looked like `acct42`), a word joiner, a byte order mark, and the tag
 * characters, which carry a sentence no one sees ("ASCII smuggling"); they were printed raw. An emoji written
 * with a zero-width joiner stays whole.
 */

const RLO = '\u202e'
const RLI = '\u2067'
const PDI = '\u2069'
/** `text` in Unicode's tag characters (U+E0000 + its ASCII): drawn as nothing. */
const tags = (text: string): string =>
  [...text].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')
const HIDDEN = `acct\u200b42 ok\u2060\ufeff${tags('pay me')} \u{1f469}\u200d\u{1f4bb}`
/** The bidi formatting characters a terminal may obey. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

function expectNoBidi(run: CliProcessRun): void {
  for (const text of [run.stdout, run.stderr]) {
    const at = BIDI.exec(text)
    expect(
      at,
      at
        ? `holds U+${at[0].charCodeAt(0).toString(16)} near ${text.slice(at.index - 30, at.index + 30)}`
        : '',
    ).toBeNull()
  }
}

let root: string
let raw: RawServer

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-bidi-'))
  // UTF-8 bytes written as they are: the raw server sends latin1 strings, so encode first.
  const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')
  raw = await startRawServer((socket, head) => {
    const header = utf8(`X-File: invoice${RLO}fdp.exe\r\nX-Hidden: ${HIDDEN}\r\n`)
    if (pathOf(head) === '/sse')
      socket.end(
        `HTTP/1.1 200 OK\r\n${header}Content-Type: text/event-stream\r\nConnection: close\r\n\r\n` +
          utf8(`event: ok${RLI}evil${PDI}\ndata: pay ${RLO}001$${tags('hi')}\n\n`),
        'latin1',
      )
    else socket.end(`HTTP/1.1 200 OK\r\n${header}Content-Length: 2\r\n\r\nok`, 'latin1')
  })
})

afterAll(async () => {
  await raw.close()
  rmSync(root, { recursive: true, force: true })
})

describe('bidirectional controls from a hostile server, printed by the CLI', () => {
  it('send: a header value with RLO, zero-width or tag characters is shown with them as escapes', async () => {
    const run = await runFlightdeckProcess(['send', `${raw.url}/file`], { root })
    expect(run.code).toBe(0)
    expectNoBidi(run)
    expect(run.stdout).toContain('X-File: invoice\\u202efdp.exe')
    // Zero-width and tag characters are shown as escapes; the emoji written with a joiner stays whole.
    const line = /^X-Hidden: .*$/m.exec(run.stdout)?.[0] ?? ''
    expect(line).toBe(
      'X-Hidden: acct\\u200b42 ok\\u2060\\ufeff\\udb40\\udc70\\udb40\\udc61\\udb40\\udc79\\udb40\\udc20\\udb40\\udc6d\\udb40\\udc65 \u{1f469}\u200d\u{1f4bb}',
    )
  })

  it('sse: an event name with an isolate and data with RLO are shown as escapes; --json reads back whole', async () => {
    const run = await runFlightdeckProcess(['sse', `${raw.url}/sse`, '--max', '1'], { root })
    expect(run.code).toBe(0)
    expectNoBidi(run)
    expect(run.stdout).toContain('ok\\u2067evil\\u2069')
    expect(run.stdout).toContain('pay \\u202e001$\\udb40\\udc68\\udb40\\udc69')
    const json = await runFlightdeckProcess(['sse', `${raw.url}/sse`, '--max', '1', '--json'], { root })
    expect(json.code).toBe(0)
    expectNoBidi(json)
    const message = json.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((m) => m['type'] === 'message')
    expect(message?.['event']).toBe(`ok${RLI}evil${PDI}`)
    expect(message?.['data']).toBe(`pay ${RLO}001$${tags('hi')}`)
  })
})
