import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs } from '../../src/cli/args'
import type { JsonReport } from '../../src/cli/report'
import { runSend } from '../../src/cli/send-command'
import { refusedPort, startHttpServer, type Fixture } from '../fixtures/servers'
import { FLIGHTDECK_BIN as bin } from '../fixtures/cli-process'

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs the real `flightdeck` command, as a user would: a separate process, the bin file, real sockets. */
function flightdeck(...args: string[]): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }))
  })
}

describe('flightdeck send', () => {
  let fixture: Fixture

  beforeAll(async () => {
    fixture = await startHttpServer()
  })
  afterAll(() => fixture.close())

  it('prints the status line, headers and timings and exits 0 promptly', async () => {
    const run = await flightdeck('send', `${fixture.url}/hello`)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`GET ${fixture.url}/hello`)
    expect(run.stdout).toMatch(/^HTTP\/1\.1 200 OK$/m)
    expect(run.stdout).toMatch(/^content-type: /im)
    expect(run.stdout).toMatch(/^ {2}wait +[\d.]+ (ms|s)$/m)
    expect(run.stdout).toMatch(/^ {2}total +[\d.]+ (ms|s)$/m)
    // No dangling handles: the bin's safety net would have said so on stderr (checked above).
    expect(run.ms).toBeLessThan(10_000)
  })

  it('exits 0 on an HTTP error status too', async () => {
    const run = await flightdeck('send', `${fixture.url}/status/503`)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^HTTP\/1\.1 503/m)
  })

  it('--json prints one object whose HAR timings add up to time', async () => {
    const run = await flightdeck('send', '--json', `${fixture.url}/delay?ms=120`)
    expect(run.code).toBe(0)
    expect(run.stdout.trim().split('\n')).toHaveLength(1)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(report.status).toBe(200)
    expect(report.sent).toBe(true)
    expect(report.url).toBe(`${fixture.url}/delay?ms=120`)
    expect(report.headers.some((h) => h.name.toLowerCase() === 'content-type')).toBe(true)
    expect(report.timeline[0]?.type).toBe('queued')
    expect(report.timeline.at(-1)?.type).toBe('done')
    const t = report.timings
    for (const k of ['blocked', 'dns', 'connect', 'ssl', 'send', 'wait', 'receive', 'time'] as const) {
      expect(typeof t[k]).toBe('number')
    }
    const sum = [t.blocked, t.dns, t.connect, t.send, t.wait, t.receive]
      .filter((x) => x > 0)
      .reduce((a, b) => a + b, 0)
    expect(t.time).toBeCloseTo(sum, 2)
    expect(t.ssl).toBe(-1)
    // The server's 120 ms lies between the request leaving and its first byte: inside send + wait, since the end
    // of send is the write's callback, which a loaded machine can run tens of ms after the bytes left.
    expect(t.send + t.wait).toBeGreaterThanOrEqual(100)
  })

  it('a header value in Latin-1 (an old server sends caf and the byte E9) reads café in text and --json', async () => {
    // Written byte by byte: Node's http server would send é as UTF-8.
    const head = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\nX-Name: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\r\nX-Utf8: caf\u00e9\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'),
    ])
    const old = createServer((socket) => socket.once('data', () => socket.end(head)))
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(old.address() as AddressInfo).port}/`
    try {
      const text = await flightdeck('send', url)
      expect(text.code).toBe(0)
      expect(text.stdout).toMatch(/^X-Name: café$/m)
      expect(text.stdout).toMatch(/^X-Utf8: café$/m)
      const json = await flightdeck('send', '--json', url)
      const report = JSON.parse(json.stdout) as JsonReport
      expect(report.headers.slice(0, 2)).toEqual([
        { name: 'X-Name', value: 'café' },
        { name: 'X-Utf8', value: 'café' },
      ])
    } finally {
      await new Promise((r) => old.close(r))
    }
  })

  it('--json follows redirects and reports the final hop', async () => {
    const target = `${fixture.url}/hello`
    const run = await flightdeck(
      'send',
      '--json',
      `${fixture.url}/redirect-to?url=${encodeURIComponent(target)}`,
    )
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(report.status).toBe(200)
    expect(report.url).toBe(target)
    expect(report.timeline.some((e) => e.type === 'redirect')).toBe(true)
  })

  it('a refused port exits 1 with one line on stderr, and says where it stopped instead of phases never run', async () => {
    const port = await refusedPort()
    const run = await flightdeck('send', `http://127.0.0.1:${port}/`)
    expect(run.code).toBe(1)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/^flightdeck: refused: /)
    // Nothing was sent: no send, wait or receive rows (they read as 0 ms phases that happened).
    expect(run.stdout).toMatch(/^not sent {2}refused: Connection refused by 127\.0\.0\.1:\d+$/m)
    expect(run.stdout).toMatch(/^ +stopped while connecting, after [\d.]+ (ms|s)$/m)
    expect(run.stdout).toMatch(/^ {2}connect +[\d.]+ (ms|s) {2}stopped here$/m)
    expect(run.stdout).not.toMatch(/^ {2}(send|wait|receive) /m)
    const json = await flightdeck('send', '--json', `http://127.0.0.1:${port}/`)
    expect(json.code).toBe(1)
    const report = JSON.parse(json.stdout) as JsonReport
    expect(report).toMatchObject({ status: 0, sent: false, stoppedIn: 'connect', error: { code: 'refused' } })
  })

  it('a request that failed after it was sent says so on stdout too, above its timings (a file of stdout shows it)', async () => {
    const run = await flightdeck('send', `${fixture.url}/hang`, '--timeout', '300')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^flightdeck: timeout_total: /)
    expect(run.stdout).toMatch(
      /^failed {4}timeout_total: The request took longer than the total timeout of 300 ms$/m,
    )
    expect(run.stdout).toMatch(/^ {2}wait +[\d.]+ (ms|s)$/m)
  })

  it('a send cancelled with Ctrl+C says cancelled in --json, not a network error', async () => {
    // In this process (a child would cost a second of start-up): Ctrl+C is the SIGINT listener the send adds.
    const held = createServer(() => undefined)
    const arrived = new Promise<void>((r) =>
      held.once('connection', (socket) => socket.once('data', () => r())),
    )
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r))
    const before = new Set(process.listeners('SIGINT'))
    const cmd = parseCliArgs(['send', '--json', `http://127.0.0.1:${(held.address() as AddressInfo).port}/`])
    if (cmd.kind !== 'send') throw new Error('not a send')
    let out = ''
    let err = ''
    let ended = false
    const sending = runSend(cmd, { out: (t) => void (out += t), err: (t) => void (err += t) }).finally(
      () => (ended = true),
    )
    try {
      await arrived
      const ctrlC = process.listeners('SIGINT').filter((l) => !before.has(l))
      expect(ctrlC).toHaveLength(1)
      // Pressed again until the send ends (it cancels once it knows its session), bounded.
      for (let i = 0; i < 200 && !ended; i++) {
        for (const l of ctrlC) (l as () => void)()
        await new Promise((r) => setTimeout(r, 25))
      }
      expect(await sending).toBe(130)
    } finally {
      held.close()
    }
    expect(err).toBe('flightdeck: cancelled: the request was cancelled\n')
    const report = JSON.parse(out) as JsonReport
    expect(report).toMatchObject({ sent: true, error: { code: 'cancelled', message: 'Cancelled.' } })
  })

  it('send -d @file: a {{variable}} in the file is refused before anything is sent, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-cli-body-'))
    try {
      writeFileSync(join(dir, 'body.json'), '{\n  "token": "{{token}}"\n}')
      const cmd = parseCliArgs(['send', `${fixture.url}/echo`, '-d', `@${join(dir, 'body.json')}`])
      if (cmd.kind !== 'send') throw new Error('not a send')
      let err = ''
      expect(await runSend(cmd, { out: () => undefined, err: (t) => void (err += t) })).toBe(2)
      expect(err).toMatch(
        /^flightdeck: \{\{token\}\} on line 2 of .*body\.json \(the body, -d @file\) is a variable, and a plain send has none/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('send -F as curl: fields, a file with ;type= and ;filename=, --form-string as typed, arrive as a multipart POST in order; a text file with a {{variable}} is refused; -F with -d is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-cli-form-'))
    const got: { method?: string; type?: string; body?: Buffer } = {}
    let requests = 0
    const server = createHttpServer((req, res) => {
      requests++
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        Object.assign(got, {
          method: req.method,
          type: req.headers['content-type'],
          body: Buffer.concat(chunks),
        })
        res.end('ok')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      // A binary file goes as its bytes, braces and all (a NUL byte says it is not text), as with -d @file.
      const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x0d, 0x0a, ...Buffer.from('{{x}}')])
      writeFileSync(join(dir, 'shot.bin'), bytes)
      const { port } = server.address() as AddressInfo
      const cmd = parseCliArgs([
        'send',
        `http://127.0.0.1:${port}/up`,
        '-F',
        'title=a;b',
        '--form-string',
        'raw=@not-read.txt;type=text/x',
        '--form',
        'meta={"x":1};type=application/json',
        '-F',
        `photo=@${join(dir, 'shot.bin')};type=image/png;filename=me.png`,
        '--form-string',
        'lt=<notes.txt',
        '-F',
        'title=again',
      ])
      if (cmd.kind !== 'send') throw new Error(JSON.stringify(cmd))
      expect(await runSend(cmd, { out: () => undefined, err: () => undefined })).toBe(0)
      expect(got.method).toBe('POST')
      expect(got.type).toMatch(/^multipart\/form-data; boundary=/)
      const form = await new Response(new Uint8Array(got.body ?? []), {
        headers: { 'content-type': got.type ?? '' },
      }).formData()
      // One part an argument, in the order typed, -F and --form-string mixed (as curl keeps them).
      expect([...form.keys()]).toEqual(['title', 'raw', 'meta', 'photo', 'lt', 'title'])
      expect(form.getAll('title')).toEqual(['a;b', 'again'])
      // --form-string: no file read, no ;type= taken: a plain field holding every letter typed.
      expect([form.get('raw'), form.get('lt')]).toEqual(['@not-read.txt;type=text/x', '<notes.txt'])
      expect(got.body?.toString('latin1')).toContain(
        'Content-Disposition: form-data; name="raw"\r\n\r\n@not-read.txt;type=text/x\r\n',
      )
      // A typed field is a field (no filename), its Content-Type in its own head, as curl sends it.
      expect(form.get('meta')).toBe('{"x":1}')
      expect(got.body?.toString('latin1')).toContain(
        'Content-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n{"x":1}\r\n',
      )
      const photo = form.get('photo') as File
      expect([photo.name, photo.type]).toEqual(['me.png', 'image/png'])
      expect(Buffer.from(await photo.arrayBuffer())).toEqual(bytes)

      // A text file's {{variable}} is refused as -d @file's is, before anything is sent: it went out as braces.
      writeFileSync(join(dir, 'note.txt'), 'hello\n{{name}}\n')
      const templated = parseCliArgs([
        'send',
        `http://127.0.0.1:${port}/up`,
        '-F',
        `photo=@${join(dir, 'shot.bin')}`,
        '-F',
        `note=@${join(dir, 'note.txt')}`,
      ])
      if (templated.kind !== 'send') throw new Error(JSON.stringify(templated))
      let err = ''
      expect(await runSend(templated, { out: () => undefined, err: (t) => void (err += t) })).toBe(2)
      expect(err).toMatch(
        /^flightdeck: \{\{name\}\} on line 2 of .*note\.txt \(the form part note, -F note=@file\) is a variable, and a plain send has none/,
      )
      expect(requests).toBe(1)
      expect(parseCliArgs(['send', 'http://x/', '--form-string', 'novalue'])).toMatchObject({
        kind: 'error',
        message: "bad --form-string 'novalue'; expected name=value",
      })
      expect(parseCliArgs(['send', 'http://x/', '--form-string', 'a=1', '-d', 'b'])).toMatchObject({
        kind: 'error',
      })
      expect(parseCliArgs(['send', 'http://x/', '-F', 'a=1', '-d', 'b'])).toMatchObject({
        kind: 'error',
        message: '-F (a multipart form) and -d (a body) cannot be used together; choose one',
      })
    } finally {
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('bad arguments exit 2 with one line; --help exits 0', async () => {
    const bad = await flightdeck('send')
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stdout).toBe('')
    expect((await flightdeck('send', 'http://x/', '--bogus')).code).toBe(2)
    const help = await flightdeck('--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: flightdeck send <url>')
  })
})
