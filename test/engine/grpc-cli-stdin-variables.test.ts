import { PassThrough, Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { runGrpcCli } from '../../src/cli/grpc-command'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'

/**
 * `flightdeck grpc -d -`: a `{{variable}}` read from stdin is refused in words, as one typed, in a file or in a
 * FIFO's line is (a one-off call has no variables): it went out as braces.
 */
describe('flightdeck grpc -d - and {{variables}}', () => {
  let server: GrpcTestServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  async function cli(args: string[], stdin: Readable): Promise<{ code: number; out: string; err: string }> {
    let out = ''
    let err = ''
    const code = await runGrpcCli(args, { out: (t) => void (out += t), err: (t) => void (err += t) }, stdin)
    return { code, out, err }
  }

  const called = (path: string): number => server?.calls.filter((c) => c.path === path).length ?? 0

  it('a unary call read whole from stdin: refused before the call, naming the line', async () => {
    server = await startGrpcServer()
    const r = await cli(
      [server.target, 'flightdeck.test.Echo/Say', '--plaintext', '-d', '-'],
      Readable.from(['{\n  "text": "{{ greeting }}"\n}\n']),
    )
    expect(r.code).toBe(2)
    expect(r.err).toMatch(
      /^flightdeck: \{\{greeting\}\} in stdin line 2 \(the message, -d -\) is a variable, and a plain grpc has none/,
    )
    expect(r.out).toBe('')
    expect(called('/flightdeck.test.Echo/Say')).toBe(0)
  })

  it('a bidi stream fed stdin a line at a time: the line with the variable cancels the call there', async () => {
    server = await startGrpcServer()
    const stdin = new PassThrough()
    const running = cli(
      [server.target, 'flightdeck.test.Echo/Chat', '--plaintext', '-d', '-', '--json'],
      stdin,
    )
    stdin.write('{"text":"one"}\n')
    stdin.write('{"text":"{{name}}"}\n')
    stdin.write('{"text":"three"}\n')
    stdin.end()
    const r = await running
    expect(r.code).toBe(2)
    expect(r.err).toMatch(
      /^flightdeck: \{\{name\}\} in stdin line 2 \(the message, -d -\) is a variable, and a plain grpc has none: .*; the call was cancelled after 1 message sent\n$/,
    )
    // Nothing of line 2 or after reached the server: at most line 1's echo came back.
    expect(r.out).not.toMatch(/\{\{name\}\}|three/)
  }, 20_000)
})
