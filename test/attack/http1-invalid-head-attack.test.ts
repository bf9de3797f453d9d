import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { isolatedService, send, spec } from '../engine/helpers'
import { settle } from '../engine/stream-helpers'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A hostile or broken server's HTTP/1.1 response head that llhttp refuses, on a connection the server keeps
 * open. undici reports such a head as a Content-Length mismatch once it has read a Content-Length, which told the
 * person the body was short when no body was read at all: the error must say the head was not valid HTTP/1.1.
 */

const ESC = '\x1b'
const INVALID_HEAD =
  /^127\.0\.0\.1:\d+ sent a malformed HTTP response: its status line or headers are not valid HTTP\/1\.1 /

const RESPONSES: Record<string, string> = {
  '/esc-in-header': `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Note: a${ESC}[2Jb\r\n\r\nok`,
  '/osc52-in-header': `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Note: a${ESC}]52;c;eA==\x07b\r\n\r\nok`,
  '/two-lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok',
  '/esc-in-header-before-length': `HTTP/1.1 200 OK\r\nX-Note: a${ESC}[2Jb\r\nContent-Length: 2\r\n\r\nok`,
  '/short-body': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok',
  '/events': `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 20\r\nX-Note: a${ESC}[2Jb\r\n\r\ndata: hi\n\n`,
  '/esc-in-status-text': `HTTP/1.1 200 O${ESC}[2JK\r\nContent-Length: 2\r\n\r\nok`,
}

let root: string
let raw: RawServer
let service: EngineService

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-invalid-head-'))
  raw = await startRawServer((socket, head) => {
    const path = pathOf(head)
    const response = RESPONSES[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'
    // The short body is a real one: the server closes after it. The others keep the connection open.
    if (path === '/short-body') socket.end(response)
    else socket.write(response)
  })
  service = isolatedService(root)
})

afterAll(async () => {
  await raw.close()
  rmSync(root, { recursive: true, force: true })
})

function errorOf(final: Awaited<ReturnType<typeof send>>['final']): { code: string; message: string } {
  if (final.type !== 'error') throw new Error(`expected an error, got ${final.type}`)
  return { code: final.code, message: final.message }
}

describe('an HTTP/1.1 response head that is not valid HTTP/1.1', () => {
  for (const path of ['/esc-in-header', '/osc52-in-header', '/two-lengths']) {
    it(`${path}: after a Content-Length, it is named a malformed head, not a short body`, async () => {
      const { code, message } = errorOf((await send(service, spec(`${raw.url}${path}`))).final)
      expect(code).toBe('protocol')
      expect(message).toMatch(INVALID_HEAD)
      expect(message).not.toMatch(/Content-Length$|did not match/)
    })
  }

  it('before a Content-Length, llhttp says which part (as before)', async () => {
    const { code, message } = errorOf(
      (await send(service, spec(`${raw.url}/esc-in-header-before-length`))).final,
    )
    expect(code).toBe('protocol')
    expect(message).toMatch(/sent a malformed HTTP response \(.*Invalid header value char\)\)$/)
  })

  it('a body shorter than its Content-Length is still said to be one', async () => {
    const { code, message } = errorOf((await send(service, spec(`${raw.url}/short-body`))).final)
    expect(code).toBe('reset')
    expect(message).toMatch(/closed the connection after 2 of the 5 bytes its Content-Length announced$/)
  })

  it('ESC in the status text is read (llhttp accepts it); the response arrives', async () => {
    const final = (await send(service, spec(`${raw.url}/esc-in-status-text`))).final
    expect(final.type === 'done' ? final.status : final.type).toBe(200)
  })

  it('an SSE stream whose head is refused says so too', async () => {
    const r = await service.invoke('sse.open', {
      request: spec(`${raw.url}/events`),
      stream: { reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const { final } = await settle(service, r.value.sid)
    expect(final).toMatchObject({
      type: 'error',
      code: 'protocol',
      message: expect.stringMatching(INVALID_HEAD),
    })
  })
})
