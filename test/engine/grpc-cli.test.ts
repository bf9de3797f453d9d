import { execFileSync } from 'node:child_process'
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { runGrpcCli } from '../../src/cli/grpc-command'
import { MAX_MESSAGE_TEXT } from '../../src/cli/grpc-message-input'
import { runCli } from '../../src/cli/index'
import { PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startOAuthServer, TestBrowser } from '../fixtures/oauth-server'

/** `promise`, or a failure saying `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/** `flightdeck grpc`: list, describe and calls of every kind against a real server, with its exit codes. */
describe('flightdeck grpc', () => {
  let server: GrpcTestServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  async function cli(
    args: string[],
    stdin: Readable = Readable.from([]),
  ): Promise<{ code: number; out: string; err: string }> {
    let out = ''
    let err = ''
    const code = await runGrpcCli(args, { out: (t) => void (out += t), err: (t) => void (err += t) }, stdin)
    return { code, out, err }
  }

  it('lists services and methods through reflection, and describes one', async () => {
    server = await startGrpcServer()
    const listed = await cli([server.target, '--plaintext'])
    expect(listed.code).toBe(0)
    expect(listed.out).toContain('flightdeck.test.Echo\n')
    expect(listed.out).toMatch(
      / {2}Count +server streaming +flightdeck\.test\.CountRequest → flightdeck\.test\.Tick/,
    )
    expect(listed.out).toMatch(/ {2}Chat +bidi streaming/)
    const described = await cli([server.target, 'flightdeck.test.SayRequest', '--plaintext'])
    expect(described.code).toBe(0)
    expect(described.out).toContain('.flightdeck.common.Meta meta = 3;')
  })

  it('unary with -d, as pretty JSON; with --json one object per message and then the status', async () => {
    server = await startGrpcServer()
    const plain = await cli([
      server.target,
      'flightdeck.test.Echo/Say',
      '--plaintext',
      '-d',
      '{"text":"hi"}',
      '-H',
      'x-user: ada',
    ])
    expect(plain.code).toBe(0)
    expect(JSON.parse(plain.out)).toMatchObject({ text: 'you said: hi', seen_metadata: { 'x-user': 'ada' } })
    const json = await cli([
      server.target,
      'flightdeck.test.Echo/Count',
      '--plaintext',
      '-d',
      '{"n":3}',
      '--json',
    ])
    expect(json.code).toBe(0)
    const lines = json.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l.type)).toEqual(['message', 'message', 'message', 'status'])
    expect(lines[2]).toMatchObject({ message: { i: 2 } })
    expect(lines[3]).toMatchObject({ code: 0, name: 'OK', trailers: {} })
  })

  it('-d - streams stdin lines to a bidi call, each sent as it is read, then half-closes', async () => {
    server = await startGrpcServer({ reflection: 'none' })
    const stdin = new PassThrough()
    const running = cli(
      [
        server.target,
        'flightdeck.test.Echo/Chat',
        '--plaintext',
        '--proto',
        'echo.proto',
        '--import-path',
        PROTO_DIR,
        '-d',
        '-',
        '--json',
      ],
      stdin,
    )
    stdin.write('{"text":"one"}\n')
    stdin.write('\n{"text":"two"}\n')
    stdin.end()
    const r = await running
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; message?: { text: string } })
    expect(lines.filter((l) => l.type === 'message').map((l) => l.message?.text)).toEqual([
      'echo: one',
      'echo: two',
    ])
  }, 20_000)

  it('client streaming from a JSON array; a bad stdin line is exit 2, naming the line', async () => {
    server = await startGrpcServer()
    const sum = await cli([
      server.target,
      'flightdeck.test.Echo/Sum',
      '--plaintext',
      '-d',
      '[{"value":1},{"value":41}]',
    ])
    expect(sum.code).toBe(0)
    expect(JSON.parse(sum.out)).toEqual({ sum: '42', count: 2 })
    const bad = await cli(
      [server.target, 'flightdeck.test.Echo/Sum', '--plaintext', '-d', '-'],
      Readable.from(['{"value":1}\n{"valu":2}\n']),
    )
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(
      /stdin line 2: Message 2 does not fit flightdeck\.test\.Num: flightdeck\.test\.Num has no field "valu"/,
    )
  })

  it('client streaming from a file of lines: sent as read, past 64 MiB; a line past 64 MiB is cut, file or stdin', async () => {
    server = await startGrpcServer()
    const sum = [server.target, 'flightdeck.test.Echo/Sum', '--plaintext']
    const dir = mkdtempSync(join(tmpdir(), 'fd-grpc-lines-'))
    try {
      // 65 messages of 1 MiB each (a value, then spaces): 65 MiB, past what a whole read takes. Written from one
      // buffer (a 65 MB string took ~2 s to build and encode at load ~18); the case runs ~2 s for the 3 x 64 MiB
      // it must pass through the limit, the point of it.
      const long = join(dir, 'long.ndjson')
      const line = Buffer.alloc(1024 * 1024, 0x20)
      line.write('{"value":1}')
      // CRLF line ends, and a byte order mark before the first: each line is still one message.
      line.write('\r\n', line.length - 2)
      const fd = openSync(long, 'w')
      writeSync(fd, '\uFEFF')
      for (let i = 0; i < 65; i++) writeSync(fd, line)
      closeSync(fd)
      const streamed = await cli([...sum, '-d', `@${long}`])
      expect(streamed.err).toBe('')
      expect(streamed.code).toBe(0)
      expect(JSON.parse(streamed.out)).toEqual({ sum: '65', count: 65 })

      // Its {{variables}} are refused before the call, as a file read whole is.
      const vars = join(dir, 'vars.ndjson')
      writeFileSync(vars, '{"value":1}\n{"value":{{n}}}\n')
      const sums = (): number => server?.calls.filter((c) => c.path.endsWith('/Sum')).length ?? 0
      const calls = sums()
      const refusedVars = await cli([...sum, '-d', `@${vars}`])
      expect(refusedVars.code).toBe(2)
      expect(refusedVars.err).toMatch(
        /^flightdeck: \{\{n\}\} on line 2 of .*vars\.ndjson \(the message file, -d @\)/,
      )
      expect(sums()).toBe(calls)

      // One message, then a line of 64 MiB + 1 (sparse: zeros, never written) with no end: cut at the limit.
      const huge = join(dir, 'huge.ndjson')
      writeFileSync(huge, '{"value":1}\n')
      truncateSync(huge, 12 + MAX_MESSAGE_TEXT + 1)
      const cut = await cli([...sum, '-d', `@${huge}`])
      expect(cut.code).toBe(2)
      expect(cut.err).toBe(
        `flightdeck: line 2 of ${huge} is longer than 64 MiB (67,108,864 bytes), the largest message text the engine takes: the call was cancelled after 1 message sent\n`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    // stdin's lines have the same bound: 1 MiB pieces of spaces, no line end; the read stops past 64 MiB.
    let pieces = 0
    const piece = Buffer.alloc(1024 * 1024, 0x20)
    const endless = new Readable({ read: () => void endless.push(++pieces > 200 ? null : piece) })
    const piped = await cli([...sum, '-d', '-'], endless)
    expect(piped.code).toBe(2)
    expect(piped.err).toMatch(/^flightdeck: stdin line 1 is longer than 64 MiB \(67,108,864 bytes\)/)
    expect(pieces).toBeLessThan(70)
  }, 30_000)

  it('-d @fifo on a bidi stream: each line sent as the writer gives it (a JSON array read whole); /dev/zero cut at line 1', async () => {
    server = await startGrpcServer()
    const dir = mkdtempSync(join(tmpdir(), 'fd-grpc-fifo-'))
    try {
      const fifo = join(dir, 'in.fifo')
      execFileSync('mkfifo', [fifo])
      let out = ''
      let err = ''
      let echoed = (): void => {}
      const firstEcho = new Promise<void>((resolve) => (echoed = resolve))
      const io = {
        out: (t: string): void => {
          out += t
          if (out.includes('echo: one')) echoed()
        },
        err: (t: string): void => void (err += t),
      }
      const chat = [server.target, 'flightdeck.test.Echo/Chat', '--plaintext', '-d', `@${fifo}`, '--json']
      const running = runGrpcCli(chat, io, Readable.from([]))
      // Opening the FIFO to write waits for the command to open it to read.
      const writer = await open(fifo, 'w')
      await writer.write('{"text":"one"}\n')
      // The writer pauses: the reply to line 1 comes while it holds the FIFO open (it came only at its close).
      await within(firstEcho, 10_000, `no reply to line 1 while the writer paused: ${err}`)
      await writer.write('{"text":"two"}\n')
      await writer.close()
      expect(await running).toBe(0)
      expect(err).toBe('')
      expect(out.match(/echo: (one|two)/g)).toEqual(['echo: one', 'echo: two'])

      // The call ends (--max 1) while the writer pauses: the FIFO's read is closed with it, so the process can
      // exit (an open pipe held the CLI's exit until its 2 s "forced exit"), and the writer's next write fails.
      const pipes = (): number => process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap').length
      const pipesBefore = pipes()
      const once = runGrpcCli([...chat, '--max', '1'], io, Readable.from([]))
      const pausing = await open(fifo, 'w')
      await pausing.write('{"text":"one"}\n')
      expect(await once).toBe(0)
      for (let turn = 0; turn < 50 && pipes() > pipesBefore; turn++)
        await new Promise((resolve) => setImmediate(resolve))
      expect(pipes()).toBe(pipesBefore)
      await expect(pausing.write('{"text":"more"}\n')).rejects.toMatchObject({ code: 'EPIPE' })
      await pausing.close()

      // A FIFO that starts with [ is a JSON array, read whole.
      const summed = cli([server.target, 'flightdeck.test.Echo/Sum', '--plaintext', '-d', `@${fifo}`])
      const arrayWriter = await open(fifo, 'w')
      await arrayWriter.write(' [{"value":1},\n{"value":41}]')
      await arrayWriter.close()
      const sum = await summed
      expect(sum.err).toBe('')
      expect(JSON.parse(sum.out)).toEqual({ sum: '42', count: 2 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    // A device is read a line at a time too: /dev/zero's first line passes the limit.
    const zeros = await cli([server.target, 'flightdeck.test.Echo/Sum', '--plaintext', '-d', '@/dev/zero'])
    expect(zeros.code).toBe(2)
    expect(zeros.err).toBe(
      'flightdeck: line 1 of /dev/zero is longer than 64 MiB (67,108,864 bytes), the largest message text the engine takes: the call was cancelled after 0 messages sent\n',
    )
  }, 30_000)

  it('exit 1 on a non-OK status, with the details and trailers on stderr; --max cancels and exits 0', async () => {
    server = await startGrpcServer()
    const failed = await cli([
      server.target,
      'flightdeck.test.Echo/Fail',
      '--plaintext',
      '-d',
      '{"code":7,"message":"no entry"}',
    ])
    expect(failed.code).toBe(1)
    expect(failed.err).toContain('flightdeck: PERMISSION_DENIED (7): no entry')
    expect(failed.err).toContain('"reason": "QUOTA_GONE"')
    expect(failed.err).toContain('trailer x-why: asked to')
    const capped = await cli([
      server.target,
      'flightdeck.test.Echo/Count',
      '--plaintext',
      '-d',
      '{"n":100000,"gap_ms":5}',
      '--max',
      '3',
      '--json',
    ])
    expect(capped.code).toBe(0)
    expect(
      capped.out
        .trim()
        .split('\n')
        .filter((l) => l.includes('"type":"message"')),
    ).toHaveLength(3)
  })

  it('exit 2 on bad arguments and bad messages; exit 1 when nothing listens', async () => {
    expect((await cli([])).code).toBe(2)
    expect((await cli(['localhost:1', '--deadline', 'soon'])).err).toMatch(
      /--deadline must be a number of seconds/,
    )
    server = await startGrpcServer()
    const badJson = await cli([server.target, 'flightdeck.test.Echo/Say', '--plaintext', '-d', '{text'])
    expect(badJson.code).toBe(2)
    expect(badJson.err).toMatch(/Message 1 is not JSON/)
    // -d @file and a whole-read -d - stop at 64 MiB, loudly, and nothing is called (both were read whole, any size).
    const dir = mkdtempSync(join(tmpdir(), 'fd-grpc-big-'))
    try {
      const big = join(dir, 'big.json')
      // Sparse: its size is stat's, no 64 MiB written or read.
      writeFileSync(big, '')
      truncateSync(big, MAX_MESSAGE_TEXT + 1)
      const say = [server.target, 'flightdeck.test.Echo/Say', '--plaintext']
      const file = await cli([...say, '-d', `@${big}`])
      expect(file.code).toBe(2)
      expect(file.err).toBe(
        `flightdeck: the message file ${big} is 67,108,865 bytes, longer than -d @file reads: at most 64 MiB (67,108,864 bytes) for a unary call's one message (the largest message text the engine takes); the call was not made\n`,
      )
      // A device has no size: the read stops past the limit, in the same words.
      const zeros = await cli([...say, '-d', '@/dev/zero'])
      expect(zeros.code).toBe(2)
      expect(zeros.err).toBe(
        `flightdeck: the message file /dev/zero is longer than -d @file reads: at most 64 MiB (67,108,864 bytes) for a unary call's one message (the largest message text the engine takes); the call was not made\n`,
      )
      // stdin in 1 MiB pieces: the read stops at the first past the limit (the rest is never asked for).
      let pieces = 0
      const piece = Buffer.alloc(1024 * 1024, 0x20)
      const endless = new Readable({ read: () => void endless.push(++pieces > 200 ? null : piece) })
      const piped = await cli([...say, '-d', '-'], endless)
      expect(piped.code).toBe(2)
      expect(piped.err).toMatch(
        /^flightdeck: stdin holds more than 64 MiB \(67,108,864 bytes\): -d - reads at most that for a unary call's one message/,
      )
      expect(pieces).toBeLessThan(70)
      expect(server.calls.filter((c) => c.path.endsWith('/Say'))).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const nobody = await cli(['127.0.0.1:1', '--plaintext'])
    expect(nobody.code).toBe(1)
    expect(nobody.err).toMatch(/UNAVAILABLE \(14\)/)
    const badProto = await cli(['127.0.0.1:1', '--plaintext', '--proto', `${PROTO_DIR}/broken.proto`])
    expect(badProto.code).toBe(2)
    expect(badProto.err).toMatch(/broken\.proto, line 10/)
  })

  it('--collection --request: a saved request with its inherited auth as metadata, variables resolved; Digest refused unsent', async () => {
    server = await startGrpcServer()
    const dir = mkdtempSync(join(tmpdir(), 'fd-grpc-saved-'))
    try {
      const file = (rel: string, text: string): void => {
        mkdirSync(join(dir, rel, '..'), { recursive: true })
        writeFileSync(join(dir, rel), text)
      }
      file(
        'collection.yaml',
        `flightdeck: 1\nname: saved\nvariables:\n  echo: grpc://${server.target}\n  who: ada\n`,
      )
      // The folder's Bearer, its token a variable given on the command line; the request says nothing of auth.
      file('g/folder.yaml', 'auth:\n  type: bearer\n  token: "{{token}}"\n')
      const say = 'name: Say\nkind: grpc\nurl: "{{echo}}"\ngrpc:\n  method: flightdeck.test.Echo/Say\n'
      file('g/say.yaml', `${say}messages:\n  - name: hello\n    text: '{"text": "hi {{who}}"}'\n`)
      file('g/digest.yaml', `${say}auth:\n  type: digest\n  username: ada\n  password: pw\n`)
      const saved = ['--collection', dir, '--request']
      const r = await cli([...saved, 'g/say', '--env-var', 'token=t0k-from-ci', '--json'])
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      const [message] = r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { message?: Record<string, unknown> })
      expect(message?.message).toMatchObject({
        text: 'you said: hi ada',
        seen_metadata: { authorization: 'Bearer t0k-from-ci' },
      })
      const says = (): number => server?.calls.filter((c) => c.path.endsWith('/Say')).length ?? 0
      expect(says()).toBe(1)
      // What a gRPC call cannot send is refused in words before anything goes, as in the app and a run.
      const digest = await cli([...saved, 'g/digest.yaml'])
      expect(digest.code).toBe(2)
      expect(digest.err).toContain('A gRPC call cannot send Digest auth')
      expect(says()).toBe(1)
      // The file says what the request is: flags that would retype it are refused, as send --collection does.
      const retyped = await cli([...saved, 'g/say', '-H', 'authorization: Bearer x'])
      expect(retyped).toMatchObject({
        code: 2,
        err: expect.stringContaining('-H does not apply to a saved request'),
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 20_000)

  it('--collection --request with OAuth 2.0 (authorization code): the sign-in URL on stderr, the token as metadata, never printed', async () => {
    // ~1.3 s: a fresh engine's first gRPC and sign-in modules, the loopback listener and the browser's visit.
    server = await startGrpcServer()
    const oauth = await startOAuthServer()
    const dir = mkdtempSync(join(tmpdir(), 'fd-grpc-saved-oauth-'))
    try {
      writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: saved\n`)
      const code = `auth:\n  type: oauth2\n  grant: authorization_code\n  authUrl: "${oauth.url}/authorize"\n  tokenUrl: "${oauth.url}/token"\n  clientId: spa\n  clientSecret: ""\n  scope: read\n  clientAuth: body\n`
      writeFileSync(
        join(dir, 'say.yaml'),
        `name: Say\nkind: grpc\nurl: grpc://${server.target}\ngrpc:\n  method: flightdeck.test.Echo/Say\n${code}`,
      )
      // The person: opens the URL stderr prints, as send --collection's sign-in (cli-oauth-sign-in.test.ts).
      const browser = new TestBrowser()
      let err = ''
      let out = ''
      const io = {
        out: (t: string) => void (out += t),
        err: (t: string) => {
          err += t
          const url = /open this URL in a browser \(waiting up to 30 s\):\n {2}(\S+)/.exec(t)?.[1]
          if (url) browser.open(url)
        },
      }
      const args = ['--collection', dir, '--request', 'say', '--oauth-timeout', '30', '--json']
      const exit = await runGrpcCli(args, io, Readable.from([]))
      await browser.settled()
      expect(browser.opened).toHaveLength(1)
      expect(exit).toBe(0)
      const [message] = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { message?: { seen_metadata?: Record<string, string> } })
      expect(message?.message?.seen_metadata?.['authorization']).toBe('Bearer at-1')
      // The reflection call carried it too; stderr said where to sign in and never the token.
      expect(server.calls.map((c) => c.metadata['authorization'])).toEqual(['Bearer at-1', 'Bearer at-1'])
      expect(err).not.toContain('at-1')
      expect(oauth.forms.map((f) => f['grant_type'])).toEqual(['authorization_code'])
      // --oauth-timeout belongs to a saved request.
      expect((await cli([server.target, '--oauth-timeout', '30'])).err).toContain(
        '--oauth-timeout goes with --collection',
      )
    } finally {
      await oauth.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 20_000)

  it('is reached from the top-level command, and says so in --help', async () => {
    let out = ''
    expect(await runCli(['--help'], { out: (t) => void (out += t), err: () => undefined })).toBe(0)
    expect(out).toContain('flightdeck grpc <host:port>')
    let usage = ''
    expect(await runCli(['grpc', '--help'], { out: (t) => void (usage += t), err: () => undefined })).toBe(0)
    expect(usage).toContain('-d, --data <json>')
  })
})
