import type { Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { MAX_RESPONSE_HEADER_BYTES } from './errors'
import { Client } from './undici-parts'

/**
 * undici compiles its HTTP/1.1 parser (llhttp, WebAssembly) the first time a connection is set up, inside the
 * first request's exchange: between the TCP connection being up and the first header byte written, a lone
 * first request after start-up stalled 5-15 ms (more on a busy machine), which its timings rightly count as
 * queued. Warming the parser once per process at engine start-up, on an in-memory socket (no network, no
 * listening port), takes that work off every request.
 *
 * The warm-up is a `Client` whose connector hands undici a stream that never answers: undici sets the parser
 * up on it, reports `connect`, and the client is destroyed at once. Bounded by WARM_TIMEOUT_MS whatever
 * happens; a failure only means the first request pays the compile as before.
 */

const WARM_TIMEOUT_MS = 2000

let warming: Promise<void> | null = null

export function warmHttpParser(): Promise<void> {
  warming ??= new Promise<void>((resolve) => {
    let client: Client | null = null
    const done = (): void => {
      clearTimeout(timer)
      const c = client
      client = null
      if (!c) {
        resolve()
        return
      }
      c.destroy().then(
        () => resolve(),
        () => resolve(),
      )
    }
    const timer = setTimeout(done, WARM_TIMEOUT_MS)
    timer.unref()
    try {
      client = new Client('http://warm-up.invalid', {
        // The engine's own limit, as its connections have: without one undici loads node:http for its default.
        maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
        connect: (_options, callback) => {
          const socket = new Duplex({
            read() {},
            write(_chunk, _encoding, next) {
              next()
            },
          })
          // The few net.Socket methods undici calls on a connection.
          const chain = (): Duplex => socket
          Object.assign(socket, {
            setNoDelay: chain,
            setKeepAlive: chain,
            setTimeout: chain,
            ref: chain,
            unref: chain,
          })
          // Not a net.Socket, but all of one undici touches before the client is destroyed.
          callback(null, socket as unknown as Socket)
        },
      })
      client.once('connect', done)
      client.once('connectionError', done)
      // dispatch, not request: `request` is added to the class by undici's index, which the engine does not
      // load (undici-parts.ts); without it the warm-up threw here and the first request paid the compile.
      client.dispatch(
        { path: '/', method: 'GET' },
        {
          onConnect: () => undefined,
          onError: () => undefined,
          onHeaders: () => true,
          onData: () => true,
          onComplete: () => undefined,
        },
      )
    } catch {
      done()
    }
  })
  return warming
}
