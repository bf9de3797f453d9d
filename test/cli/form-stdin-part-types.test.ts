import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliChild } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A form part read from stdin goes as curl sends it. `-F f=@-` is a file part: `filename="-"` and, with no type
 * given, `Content-Type: application/octet-stream`. `-F f=<-` is a field holding stdin's text: no filename and no
 * Content-Type, as `-F f=value` (it was refused as unsupported); `;type=` gives it one. A `<file` reads the file
 * the same way. A server on 127.0.0.1:0 keeps each body's raw bytes, read here part by part.
 */

let root: string
let url: string
let server: ReturnType<typeof createServer>
const bodies: { type: string; raw: string }[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-form-stdin-'))
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push({ type: req.headers['content-type'] ?? '', raw: Buffer.concat(chunks).toString('latin1') })
      res.writeHead(200).end('ok')
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

/** Each part's head lines (as sent) and its bytes, split at the boundary the Content-Type names. */
function rawParts(body: { type: string; raw: string }): { head: string[]; bytes: string }[] {
  const boundary = /boundary=(\S+)/.exec(body.type)?.[1] ?? ''
  expect(boundary).not.toBe('')
  const pieces = body.raw.split(`--${boundary}`)
  expect(pieces.at(-1)).toBe('--\r\n')
  return pieces.slice(1, -1).map((piece) => {
    const end = piece.indexOf('\r\n\r\n')
    return { head: piece.slice(2, end).split('\r\n'), bytes: piece.slice(end + 4, -2) }
  })
}

async function send(args: string[], input: string): Promise<{ head: string[]; bytes: string }[]> {
  const before = bodies.length
  const r = await runCliChild(['send', url, ...args], { root, input: Buffer.from(input) })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(bodies.length).toBe(before + 1)
  return rawParts(bodies[before] ?? { type: '', raw: '' })
}

describe('a form part from stdin, as curl sends it', () => {
  it('-F f=@- is a file part: filename "-", application/octet-stream', async () => {
    const [part] = await send(['-F', 'f=@-'], 'from stdin')
    expect(part).toEqual({
      head: [
        'Content-Disposition: form-data; name="f"; filename="-"',
        'Content-Type: application/octet-stream',
      ],
      bytes: 'from stdin',
    })
  })

  // Its line ends go as a typed field's do (CRLF, as a browser's form sends them); its UTF-8 as read.
  it('-F f=<- is a field holding stdin: no filename, no Content-Type', async () => {
    const parts = await send(['-F', 'f=<-', '-F', 'g=typed'], 'line 1\nline 2 é')
    expect(parts).toEqual([
      {
        head: ['Content-Disposition: form-data; name="f"'],
        bytes: Buffer.from('line 1\r\nline 2 é').toString('latin1'),
      },
      { head: ['Content-Disposition: form-data; name="g"'], bytes: 'typed' },
    ])
  })

  it("-F 'f=<-;type=application/json' gives the field that type, still no filename", async () => {
    const [part] = await send(['-F', 'f=<-;type=application/json'], '{"a":1}')
    expect(part).toEqual({
      head: ['Content-Disposition: form-data; name="f"', 'Content-Type: application/json'],
      bytes: '{"a":1}',
    })
  })

  it('-F f=<file reads the file into the field', async () => {
    const file = join(root, 'note.txt')
    writeFileSync(file, 'from a file')
    const [part] = await send(['-F', `f=<${file}`], '')
    expect(part).toEqual({ head: ['Content-Disposition: form-data; name="f"'], bytes: 'from a file' })
  })

  it('bytes that are not UTF-8 are refused for a field, in words, and nothing is sent', async () => {
    const file = join(root, 'bytes.bin')
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00]))
    const before = bodies.length
    const r = await runCliChild(['send', url, '-F', `f=<${file}`], { root })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'flightdeck: -F f=<: what was read is not UTF-8 text, and a field carries text; send the bytes as a file part, -F f=@file\n',
    )
    expect(bodies.length).toBe(before)
  })
})
