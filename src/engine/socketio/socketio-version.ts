import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

/**
 * Telling a Socket.IO v2 server apart. socket.io-client 4 speaks Engine.IO protocol 4 (Socket.IO v3 and v4
 * servers); a v2 server speaks Engine.IO 3, and the client's own failure says nothing useful: over long-polling
 * the v2 handshake's length-prefixed payload (`97:0{"sid":…}2:40`) does not parse ("server error", "parser
 * error"), over WebSocket the client notices the CONNECT without a socket id. This reads the polling handshake
 * once more, by hand, to say which it was.
 */

export const V2_WORDS =
  'This server speaks Socket.IO v2 (Engine.IO protocol 3); Flightdeck speaks Socket.IO v3 and v4 ' +
  '(socket.io-client 4), which cannot talk to it. Upgrade the server to Socket.IO 3 or later ' +
  '(a v3/v4 server can still accept v2 clients with allowEIO3: true)'

/** The client's own words when a v2 server's CONNECT arrives over WebSocket. */
export function isClientV2Notice(message: string): boolean {
  return /server in v2\.x/i.test(message)
}

/** Whether a polling answer is Engine.IO 3's: a `<length>:` prefixed open packet, or its binary framing. */
export function isEngineIo3Handshake(body: Buffer): boolean {
  if (/^\d{1,9}:0\{/.test(body.toString('latin1', 0, 16))) return true
  // Binary framing: 0 (a string packet), its length as one byte per decimal digit, 255, then the packet.
  if (body[0] !== 0) return false
  let i = 1
  while (i < 11 && (body[i] ?? 255) <= 9) i++
  return i > 1 && body[i] === 255 && body[i + 1] === 0x30 && body[i + 2] === 0x7b
}

const PROBE_MS = 5000
const PROBE_BYTES = 4096

export interface ProbeTarget {
  /** `http:` or `https:` origin, as the client connects to. */
  origin: string
  path: string
  headers: Record<string, string>
  insecure: boolean
  ca?: string
}

/**
 * One polling handshake as socket.io-client sends it (EIO=4), its answer's first bytes checked: `true` when it
 * is a v2 server's. Bounded: 5 s and 4 KiB; any failure is `false` (the client's own error stands then).
 */
export function probeSocketIoV2(t: ProbeTarget): Promise<boolean> {
  return new Promise((resolve) => {
    let url: URL
    try {
      url = new URL(`${t.path.replace(/\/$/, '')}/`, t.origin)
    } catch {
      resolve(false)
      return
    }
    url.search = '?EIO=4&transport=polling'
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    let done = false
    const finish = (v: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      req.destroy()
      resolve(v)
    }
    const req = request(url, {
      headers: t.headers,
      rejectUnauthorized: !t.insecure,
      ...(t.ca ? { ca: t.ca } : {}),
    })
    const timer = setTimeout(() => finish(false), PROBE_MS)
    req.on('error', () => finish(false))
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        finish(false)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        chunks.push(c)
        size += c.length
        if (size >= PROBE_BYTES) finish(isEngineIo3Handshake(Buffer.concat(chunks)))
      })
      res.on('end', () => finish(isEngineIo3Handshake(Buffer.concat(chunks))))
      res.on('error', () => finish(false))
    })
    req.end()
  })
}
