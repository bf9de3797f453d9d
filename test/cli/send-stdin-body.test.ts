import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'
import { spoolStdin } from '../../src/cli/stdin-body'

/**
 * `flightdeck send -d @- URL` reads the body from stdin, as curl does (`jq … | flightdeck send -d @- URL`): a real
 * process with a real pipe, and a server on 127.0.0.1:0 that keeps the bytes it received.
 */

let root: string
let url: string
let server: ReturnType<typeof createServer>
const received: Buffer[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-stdin-'))
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push(Buffer.concat(chunks))
      // A 307 keeps the body: the resend must read the copy, not stdin (already at its end).
      if (req.url === '/moved') res.writeHead(307, { location: '/echo' }).end()
      else res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

/** Runs `flightdeck <args>` with `input` piped to its stdin (bounded: SIGKILL at 60 s). */
function withStdin(
  args: string[],
  input: Buffer,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLIGHTDECK_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: root,
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(root, 'config') },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })
}

describe('send -d @- (the body from stdin)', () => {
  it('sends the bytes piped in, and a 307 resends the same bytes', async () => {
    received.length = 0
    // Past one pipe buffer (64 KiB), with a NUL byte, so the body is read whole and sent as its bytes.
    const body = Buffer.concat([
      Buffer.from('{"a":1}\n'),
      Buffer.alloc(200_000, 0x61),
      Buffer.from([0, 1, 2]),
    ])
    const run = await withStdin(['send', '-X', 'POST', '-d', '@-', `${url}/moved`], body)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(received).toHaveLength(2)
    expect(received[0]?.equals(body)).toBe(true)
    expect(received[1]?.equals(body)).toBe(true)
  }, 70_000)

  it('refuses a {{variable}} in stdin, exit 2, nothing sent', async () => {
    received.length = 0
    const run = await withStdin(['send', '-d', '@-', `${url}/echo`], Buffer.from('{\n "t": "{{token}}"\n}\n'))
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('{{token}} on line 2 of stdin (-d @-) is a variable')
    expect(received).toHaveLength(0)
  }, 70_000)

  it('refuses stdin over the limit in words, before anything is sent', async () => {
    // A real pipe from a real process (its stdout), spooled with a small limit.
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("x".repeat(5000))'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const spooled = await spoolStdin(child.stdout, 4096)
    child.kill('SIGKILL')
    expect(spooled).toBeInstanceOf(Error)
    expect((spooled as Error).message).toContain('stdin (-d @-) is longer than a body read from stdin may be')
    expect((spooled as Error).message).toContain('nothing was sent')
  }, 30_000)
})
