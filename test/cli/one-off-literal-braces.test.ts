import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'

/**
 * Literal braces in a one-off command: typed `\{{name}}` sends `{{name}}` (the escape's backslash is not sent), as
 * in the app and collection files, and `--literal-braces` sends typed text and files exactly as given. A plain
 * command refused both before, so a Handlebars template or a Go template could not be sent at all. A real CLI
 * process each time, at an HTTP server and a WebSocket server on 127.0.0.1:0 that record what arrived.
 */

interface Arrived {
  url: string
  headers: IncomingHttpHeaders
  body: string
}

let root: string
let http: Server
let base = ''
let ws: WsFixture
const arrived: Arrived[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-literal-braces-'))
  http = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      arrived.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  ws = await startWsServer()
})

afterAll(async () => {
  await new Promise<void>((r) => http.close(() => r()))
  await ws.close()
  rmSync(root, { recursive: true, force: true })
})

const cli = (args: string[]): Promise<CliProcessRun> =>
  runFlightdeckProcess(args, { root, timeoutMs: 30_000 })

/** What the HTTP server got from the one command `args` runs (which must exit 0). */
async function sent(args: string[]): Promise<Arrived> {
  const before = arrived.length
  const r = await cli(args)
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(arrived.length).toBe(before + 1)
  return arrived[before] as Arrived
}

describe('send: braces meant as text', () => {
  it('\\{{name}} typed in the URL, a header and -d goes as {{name}}; a Go template is not a variable', async () => {
    const got = await sent([
      'send',
      `${base}/hb?tpl=\\{{user}}`,
      '-H',
      'X-Template: Hello \\{{name}} from {{.Name}}',
      '-d',
      '{"template":"<p>\\{{title}}</p>"}',
    ])
    expect(got.url).toBe('/hb?tpl={{user}}')
    expect(got.headers['x-template']).toBe('Hello {{name}} from {{.Name}}')
    expect(got.body).toBe('{"template":"<p>{{title}}</p>"}')
  })

  it('\\\\{{name}} is a backslash and then a variable: refused, naming both ways out, nothing sent', async () => {
    const before = arrived.length
    const r = await cli(['send', `${base}/x`, '-H', 'X-Path: C:\\\\{{dir}}'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'flightdeck: {{dir}} in a header is a variable, and a plain send has none: save the request in a collection and send it with --collection DIR --request PATH (with --env or --env-var), or write the value; for the braces themselves, write \\{{dir}} or add --literal-braces\n',
    )
    expect(arrived.length).toBe(before)
  })

  it('--literal-braces sends typed text exactly as given: no variable, no escape read', async () => {
    const got = await sent([
      'send',
      `${base}/lit?a={{user}}&b=\\{{user}}`,
      '--literal-braces',
      '-H',
      'X-Template: {{name}} \\{{name}}',
      '-d',
      '{{body}} \\{{body}} \\\\{{body}}',
    ])
    expect(got.url).toBe('/lit?a={{user}}&b=\\{{user}}')
    expect(got.headers['x-template']).toBe('{{name}} \\{{name}}')
    expect(got.body).toBe('{{body}} \\{{body}} \\\\{{body}}')
  })

  it('-d @file goes byte for byte (no escape read); its {{name}} is refused naming --literal-braces, which sends it', async () => {
    const file = join(root, 'template.hbs')
    writeFileSync(file, 'Dear \\{{kept}},\n{{name}}\n')
    const before = arrived.length
    const refused = await cli(['send', `${base}/file`, '-d', `@${file}`])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`{{name}} on line 2 of ${file} (the body, -d @file) is a variable`)
    expect(refused.stderr).toContain('; to send its braces as they are, add --literal-braces\n')
    expect(refused.stderr).not.toContain('write \\{{name}}')
    expect(arrived.length).toBe(before)

    const got = await sent(['send', `${base}/file`, '-d', `@${file}`, '--literal-braces'])
    expect(got.body).toBe('Dear \\{{kept}},\n{{name}}\n')
    // Escaped braces alone are no variable: the file goes as it is, backslash and all.
    writeFileSync(file, 'Dear \\{{kept}}\n')
    expect((await sent(['send', `${base}/file`, '-d', `@${file}`])).body).toBe('Dear \\{{kept}}\n')
  })
})

describe('a streaming command: ws', () => {
  it('\\{{name}} typed in the URL, a header and a message goes as {{name}}', async () => {
    const upgrades = ws.upgrades.length
    const received = ws.received.length
    const r = await cli([
      'ws',
      `${ws.url}/echo?room=\\{{room}}`,
      '-H',
      'X-Template: \\{{who}}',
      '-s',
      '{"tpl":"\\{{greeting}}"}',
      '--max',
      '1',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(ws.upgrades.slice(upgrades).map((u) => u.path)).toEqual(['/echo?room={{room}}'])
    expect(ws.upgrades[upgrades]?.headers['x-template']).toBe('{{who}}')
    expect(ws.received.slice(received)).toEqual(['{"tpl":"{{greeting}}"}'])
  })

  it('--literal-braces sends the message and the header as typed; without it {{name}} is refused, naming both ways', async () => {
    const refused = await cli(['ws', `${ws.url}/echo`, '-s', 'hi {{name}}', '--max', '1'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(
      '{{name}} in a message (--send) is a variable, and a plain ws has none: save the request in a collection and run it with flightdeck run DIR PATH (with --env or --env-var), or write the value; for the braces themselves, write \\{{name}} or add --literal-braces',
    )
    const upgrades = ws.upgrades.length
    const received = ws.received.length
    const r = await cli([
      'ws',
      `${ws.url}/echo`,
      '--literal-braces',
      '-H',
      'X-Template: {{who}}',
      '-s',
      'hi {{name}} \\{{name}}',
      '--max',
      '1',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(ws.upgrades[upgrades]?.headers['x-template']).toBe('{{who}}')
    expect(ws.received.slice(received)).toEqual(['hi {{name}} \\{{name}}'])
  })
})
