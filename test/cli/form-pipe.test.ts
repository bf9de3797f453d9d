import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
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
 * `send -F file=@fifo` and `-F file=@-` read the pipe once, as curl does, and send its bytes as a file part named
 * as curl names it (the FIFO's own name, `-` for stdin); they were refused as "not a file". Ctrl+C or SIGTERM
 * during the read ends in words, exit 130 / 143, no copy left. A saved request's pipe stays refused. Real
 * processes, real FIFOs, a server on 127.0.0.1:0 that reads the form as any server would.
 */

const LINUX_PROC = existsSync('/proc/self/task')
let root: string
let url: string
let server: ReturnType<typeof createServer>
interface Part {
  name: string
  fileName: string | null
  type: string
  bytes: Buffer
}
const received: Part[][] = []

async function partsOf(contentType: string, body: Buffer): Promise<Part[]> {
  const form = await new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(body),
  }).formData()
  const parts: Part[] = []
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') parts.push({ name, fileName: null, type: '', bytes: Buffer.from(value) })
    else
      parts.push({
        name,
        fileName: value.name,
        type: value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      })
  }
  return parts
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-form-pipe-'))
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void partsOf(req.headers['content-type'] ?? '', Buffer.concat(chunks)).then(
        (parts) => {
          received.push(parts)
          res.writeHead(200).end('ok')
        },
        () => res.writeHead(400).end('not a form'),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

/** Every byte value, so a part that is not sent as its bytes shows. */
const BINARY = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256))

function mkfifo(name: string): string {
  const path = join(root, name)
  execFileSync('mkfifo', [path])
  return path
}

/** The pipes' copies under a process's temp folder `dir`: named `stdin`, or as the FIFO is. */
function copiesUnder(dir: string): string[] {
  return filesUnder(dir).filter((f) => /\/(stdin|[^/]*\.fifo)$/.test(f))
}

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

describe('send -F name=@fifo', () => {
  it('sends what the writer gives as a file part named as the FIFO, beside a field', async () => {
    received.length = 0
    const fifo = mkfifo('photo.png')
    const running = runCliChild(['send', '-F', 'title=cat', '-F', `photo=@${fifo}`, url], { root })
    // Opening the FIFO to write waits for the command to open it to read.
    const writer = await open(fifo, 'w')
    await writer.write(BINARY)
    await writer.close()
    const r = await running
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    expect(received).toHaveLength(1)
    const [title, photo] = received[0] ?? []
    expect(title).toEqual({ name: 'title', fileName: null, type: '', bytes: Buffer.from('cat') })
    expect(photo?.name).toBe('photo')
    expect(photo?.fileName).toBe('photo.png')
    expect(photo?.type).toBe('image/png')
    expect(photo?.bytes.equals(BINARY)).toBe(true)
  })

  it('keeps ;filename= and ;type= given with it', async () => {
    received.length = 0
    const fifo = mkfifo('given.fifo')
    const running = runCliChild(['send', '-F', `doc=@${fifo};filename=report.csv;type=text/csv`, url], {
      root,
    })
    const writer = await open(fifo, 'w')
    await writer.write('a,b\n1,2\n')
    await writer.close()
    const r = await running
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(received[0]).toEqual([
      { name: 'doc', fileName: 'report.csv', type: 'text/csv', bytes: Buffer.from('a,b\n1,2\n') },
    ])
  })

  it('refuses a {{variable}} in what the pipe gave, exit 2, nothing sent', async () => {
    received.length = 0
    const fifo = mkfifo('note.txt')
    const running = runCliChild(['send', '-F', `note=@${fifo}`, url], { root })
    const writer = await open(fifo, 'w')
    await writer.write('hello\n{{token}}\n')
    await writer.close()
    const r = await running
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      `{{token}} on line 2 of ${fifo} (the form part note, -F note=@file) is a variable`,
    )
    expect(received).toHaveLength(0)
  })

  it('still looks at a regular file part sent beside a piped one', async () => {
    received.length = 0
    writeFileSync(join(root, 'plain.txt'), '{{secret}}\n')
    const r = await runCliChild(['send', '-F', 'a=@-', '-F', 'b=@plain.txt', url], {
      root,
      input: Buffer.from('fine'),
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      '{{secret}} on line 1 of plain.txt (the form part b, -F b=@file) is a variable',
    )
    expect(received).toHaveLength(0)
  })

  it.skipIf(!LINUX_PROC).each([
    ['SIGINT', 130, 'on Ctrl\\+C'],
    ['SIGTERM', 143, 'on SIGTERM'],
  ] as const)(
    'with no writer, %s ends the wait in words, exit %d, nothing sent, no copy left',
    async (signal, code, words) => {
      received.length = 0
      const temp = join(root, `tmp-${signal}`)
      mkdirSync(temp)
      const fifo = mkfifo(`${signal}.fifo`)
      // stdin's part is read (its copy made) before the FIFO's wait: both must be gone after the signal.
      const r = await runCliChild(['send', '-F', 'first=@-', '-F', `second=@${fifo}`, url], {
        root,
        input: Buffer.from('read first'),
        temp,
        signal,
        whenReady: (pid) => waitsOnFifo(pid) && copiesUnder(temp).length === 1,
      })
      expect(r.signal).toBeNull()
      expect(r.code).toBe(code)
      expect(r.stderr).toMatch(
        new RegExp(
          `^flightdeck: stopped ${words} while reading .*${signal}\\.fifo \\(-F second=@\\): nothing was sent\\n$`,
        ),
      )
      expect(received).toHaveLength(0)
      expect(copiesUnder(temp)).toEqual([])
      expect(r.afterSignalMs).toBeLessThan(3_000)
    },
  )
})

describe('send -F name=@- (stdin)', () => {
  it('sends the bytes piped in as a part named "-", as curl names it', async () => {
    received.length = 0
    const r = await runCliChild(['send', '-F', 'upload=@-', url], { root, input: BINARY })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(received).toHaveLength(1)
    const [upload] = received[0] ?? []
    expect(upload?.fileName).toBe('-')
    expect(upload?.bytes.equals(BINARY)).toBe(true)
  })

  it('refuses stdin named by two parts, exit 2, nothing sent', async () => {
    received.length = 0
    const r = await runCliChild(['send', '-F', 'a=@-', '-F', 'b=@-', url], { root, input: BINARY })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'flightdeck: stdin is read once, and both -F a=@- and -F b=@- name it; save it to a file and send that with -F b=@file\n',
    )
    expect(received).toHaveLength(0)
  })

  it('refuses more than a body read from a pipe may be, in words, exit 2, nothing sent', async () => {
    received.length = 0
    const temp = join(root, 'tmp-over')
    mkdirSync(temp)
    const r = await runCliChild(['send', '-F', 'big=@-', url], {
      root,
      input: Buffer.alloc(64 * 1024 * 1024 + 1, 0x61),
      temp,
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'flightdeck: stdin (-F big=@-) is longer than a form part read from stdin may be: at most 64 MiB (67,108,864 bytes); nothing was sent. Save it to a file and send it with -F big=@file\n',
    )
    expect(received).toHaveLength(0)
    expect(copiesUnder(temp)).toEqual([])
  })
})

describe("a saved request's pipe", () => {
  it('stays refused as not a file, at once, nothing sent', async () => {
    received.length = 0
    const dir = join(root, 'shop')
    mkdirSync(dir)
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
    execFileSync('mkfifo', [join(dir, 'drop.fifo')])
    writeFileSync(
      join(dir, 'upload.yaml'),
      `name: Upload\nmethod: POST\nurl: ${url}\nbody:\n  kind: multipart\n  parts:\n    - kind: file\n      name: f\n      path: drop.fifo\n`,
    )
    const r = await runCliChild(['send', '--collection', dir, '--request', 'upload'], { root })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('drop.fifo is not a file (a pipe, a device or a folder)')
    expect(received).toHaveLength(0)
    // No writer ever comes: a read of the pipe would have waited until the child was killed.
    expect(r.ownMs).toBeLessThan(30_000)
  })
})
