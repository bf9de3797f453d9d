import { NodeWebSocket } from 'engine.io-client'

/**
 * Engine.IO's WebSocket transport with its messages paced. `ws` parses every frame of a socket read at once
 * (pausing the WebSocket only stops the next read), and socket.io-client handles each message as it is emitted:
 * a server flooding tiny events had 137,548 of them handled in one turn of the event loop, holding every other
 * request and session for seconds. Here the WebSocket's messages are queued as `ws` emits them (a cheap step)
 * and handed on a slice at a time: the next slice only once the one before is handled (socket.io-client hands
 * each packet on by process.nextTick, and a microtask queued from the tick queue runs once it is empty), and
 * only while the turn has spent less than TURN_MS on them, as MQTT's paced stream does with a broker's bytes.
 * A close or an error that comes while messages wait goes after them, in order.
 */

/**
 * Bytes of messages handed on together at most (a Socket.IO event costs far more per byte than an MQTT publish:
 * about 180 tiny events); the clock is also read every CLOCK_EVERY messages of a slice.
 */
export const SLICE_BYTES = 2 * 1024
const CLOCK_EVERY = 16
/** Time a turn of the event loop spends on the WebSocket's messages before the rest waits for the next turn. */
export const TURN_MS = 4
/** Bytes of messages handed on in one turn at most, however fast they are handled. */
export const TURN_MAX_BYTES = 64 * 1024
/**
 * Bytes of messages waiting before the WebSocket stops reading (one read of 64 KB more may still come); it reads
 * again once half of them are handed on (not at once: pausing and resuming a socket for every slice costs).
 */
const AHEAD_BYTES = 2 * TURN_MAX_BYTES

type Emit = (event: string | symbol, ...args: unknown[]) => boolean
interface WsLike {
  emit: Emit
  pause(): void
  resume(): void
  readonly isPaused: boolean
}

interface Waiting {
  size: number
  event: string
  a: unknown
  b: unknown
}

/** Queues a `ws` WebSocket's messages (and a close or error after them) and hands them on paced. */
class MessagePacer {
  private readonly queue: Waiting[] = []
  private readonly emit: Emit
  private queued = 0
  private turnBytes = 0
  private turnStart = -1
  private handling = false
  private readonly nextTurn = (): void => {
    this.turnBytes = 0
    this.turnStart = -1
    this.pump()
  }
  private readonly handled = (): void => {
    this.handling = false
    this.pump()
  }
  private readonly afterHandling = (): void => queueMicrotask(this.handled)

  constructor(private readonly ws: WsLike) {
    const emit = ws.emit.bind(ws) as Emit
    this.emit = emit
    // ws emits a message as (data, isBinary), a close as (code, reason), an error as (error).
    ws.emit = (event: string | symbol, a?: unknown, b?: unknown, ...rest: unknown[]) => {
      if (event !== 'message' && !((event === 'close' || event === 'error') && this.queue.length > 0))
        return emit(event, a, b, ...rest)
      const data = a as { length?: number; byteLength?: number } | undefined
      // A frame's header counts too: a flood of empty messages still fills the queue and pauses the socket.
      const size = event === 'message' ? 2 + (data?.length ?? data?.byteLength ?? 0) : 0
      this.queue.push({ size, event, a, b })
      this.queued += size
      if (this.queued >= AHEAD_BYTES && !ws.isPaused) ws.pause()
      this.pump()
      return true
    }
  }

  /** Hands on the next slice once the one before is handled and while the turn allows it. */
  private pump(): void {
    if (this.handling || this.queue.length === 0) return
    if (this.turnStart < 0) {
      this.turnStart = performance.now()
      setImmediate(this.nextTurn)
    } else if (this.turnBytes >= TURN_MAX_BYTES || performance.now() - this.turnStart >= TURN_MS) return
    this.handling = true
    let slice = 0
    try {
      for (let n = 1; slice < SLICE_BYTES && this.queue.length > 0; n++) {
        const next = this.queue.shift() as Waiting
        slice += next.size
        this.queued -= next.size
        this.emit(next.event, next.a, next.b)
        if (n % CLOCK_EVERY === 0 && performance.now() - this.turnStart >= TURN_MS) break
      }
    } finally {
      this.turnBytes += slice
      if (this.queued <= AHEAD_BYTES / 2 && this.ws.isPaused) this.ws.resume()
      process.nextTick(this.afterHandling)
    }
  }
}

export class PacedNodeWebSocket extends NodeWebSocket {
  override createSocket(
    uri: string,
    protocols: string | string[] | undefined,
    opts: Record<string, unknown>,
  ): unknown {
    const ws = super.createSocket(uri, protocols, opts) as WsLike
    new MessagePacer(ws)
    return ws
  }
}
