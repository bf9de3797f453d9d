import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliChild, waitsOnFifo } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A body piped in, as curl reads one: `sse -d @-` reads stdin (it sent a file named `-`), `sse -d @fifo` waits for
 * the FIFO's writer (the engine refused a pipe), and Ctrl+C or SIGTERM while either is read ends the command in
 * words, exit 130 / 143, nothing sent and no temp copy left (`send -d @-` was killed by the signal without a
 * word, its copy left in the temp folder). Real processes, real pipes, a server on 127.0.0.1:0.
 */

const LINUX_PROC = existsSync('/proc/self/task')
let root: string
let url: string
let server: ReturnType<typeof createServer>
const received: { path: string; body: Buffer }[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-piped-'))
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      received.push({ path: req.url ?? '', body })
      if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.end(`data: ${body.length} bytes\n\n`)
      } else res.writeHead(200).end('ok')
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

/** Every file under `dir` (bounded: 10 levels, 1,000 entries). */
function filesUnder(dir: string, depth = 0, found: string[] = []): string[] {
  if (depth > 10 || found.length > 1000) return found
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory()) filesUnder(path, depth + 1, found)
    else found.push(path)
  }
  return found
}

describe('sse -d @- (the body from stdin)', () => {
  it('sends the bytes piped in', async () => {
    received.length = 0
    const body = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.alloc(100_000, 0x62)])
    const r = await runCliChild(['sse', '-d', '@-', `${url}/sse`, '--max', '1'], { root, input: body })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`${body.length} bytes`)
    expect(received).toHaveLength(1)
    expect(received[0]?.body.equals(body)).toBe(true)
  })

  it('refuses a {{variable}} in stdin in the words send uses, exit 2, nothing sent', async () => {
    received.length = 0
    const r = await runCliChild(['sse', '-d', '@-', `${url}/sse`], {
      root,
      input: Buffer.from('{\n "t": "{{token}}"\n}\n'),
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('{{token}} on line 2 of stdin (-d @-) is a variable, and a plain sse has none')
    expect(received).toHaveLength(0)
  })
})

describe('sse -d @fifo', () => {
  it('sends what the writer gives', async () => {
    received.length = 0
    const fifo = join(root, 'given.fifo')
    execFileSync('mkfifo', [fifo])
    const running = runCliChild(['sse', '-d', `@${fifo}`, `${url}/sse`, '--max', '1'], { root })
    // Opening the FIFO to write waits for the command to open it to read.
    const writer = await open(fifo, 'w')
    await writer.write('{"from":"fifo"}')
    await writer.close()
    const r = await running
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(received.map((x) => x.body.toString())).toEqual(['{"from":"fifo"}'])
  })

  it.skipIf(!LINUX_PROC).each([
    ['SIGINT', 130, 'on Ctrl\\+C'],
    ['SIGTERM', 143, 'on SIGTERM'],
  ] as const)(
    'with no writer, %s ends the wait in words, exit %d, nothing sent',
    async (signal, code, words) => {
      received.length = 0
      const fifo = join(root, `${signal}.fifo`)
      execFileSync('mkfifo', [fifo])
      const r = await runCliChild(['sse', '-d', `@${fifo}`, `${url}/sse`], {
        root,
        signal,
        whenReady: waitsOnFifo,
      })
      expect(r.signal).toBeNull()
      expect(r.code).toBe(code)
      expect(r.stderr).toMatch(
        new RegExp(
          `^flightdeck: stopped ${words} while reading .*${signal}\\.fifo \\(-d @\\): nothing was sent\\n$`,
        ),
      )
      expect(received).toHaveLength(0)
      expect(r.afterSignalMs).toBeLessThan(3_000)
    },
  )
})

describe('send -d @- stopped while stdin is read', () => {
  it('Ctrl+C ends it in words, exit 130, nothing sent, no copy left in the temp folder', async () => {
    received.length = 0
    const temp = join(root, 'tmp-send')
    mkdirSync(temp)
    const copies = (): string[] => filesUnder(temp).filter((f) => f.endsWith('/stdin'))
    // Half a body written, stdin held open: the copy exists and is being written when Ctrl+C comes.
    const r = await runCliChild(['send', '-X', 'POST', '-d', '@-', `${url}/echo`], {
      root,
      input: Buffer.from('{"half":'),
      holdStdin: true,
      temp,
      signal: 'SIGINT',
      whenReady: () => copies().length > 0,
    })
    expect(r.signal).toBeNull()
    expect(r.code, `exit code; stderr: ${r.stderr}`).toBe(130)
    expect(r.stderr).toBe('flightdeck: stopped on Ctrl+C while reading stdin (-d @-): nothing was sent\n')
    expect(received).toHaveLength(0)
    expect(copies()).toEqual([])
    expect(r.afterSignalMs).toBeLessThan(3_000)
  })
})
