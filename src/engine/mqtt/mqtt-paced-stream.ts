import { Duplex } from 'node:stream'

/**
 * MQTT.js handles each packet it parses on its own process.nextTick, and nextTick work all runs before the event
 * loop moves on, so one 64 KB socket read of tiny publishes (about 9,000) was handled in the turn that read it,
 * and a busy socket is read several times a turn: a flooding broker held every other request and session for
 * hundreds of ms. Pausing the socket after so many messages cannot help (the read already parsed is handled
 * whole), so the broker's bytes are handed on a slice at a time: the next slice only once MQTT.js has handled
 * the one before (its nextTicks have all run), and only while the turn has spent less than TURN_MS on them. A
 * flood of tiny publishes takes a slice or two a turn (about 2,300 messages); a drain of larger messages takes up
 * to TURN_MAX_BYTES a turn, where a fixed 16 KB a turn cost it turns and CPU.
 */
export const SLICE_BYTES = 8 * 1024
/** Time a turn of the event loop spends on the broker's bytes before the rest waits for the next turn. */
export const TURN_MS = 4
/** Bytes handed on in one turn at most, however fast they are handled. */
export const TURN_MAX_BYTES = 64 * 1024
/**
 * Bytes read ahead of MQTT.js before the socket stops reading (the size guard sees them as they go on); it reads
 * again once half of them are handed on (not at once: pausing and resuming a socket for every slice costs).
 */
const AHEAD_BYTES = 2 * TURN_MAX_BYTES

/**
 * The connection MQTT.js reads and writes: writes go straight to the socket; reads are handed on a slice at a
 * time, TURN_MS (at most TURN_MAX_BYTES) a turn. Ends, errors and closes are the socket's. It paces any duplex:
 * a TCP or TLS socket, or the stream of a WebSocket's binary messages.
 */
export class PacedStream extends Duplex {
  private readonly queue: Buffer[] = []
  private queued = 0
  private turnBytes = 0
  /** performance.now() at the turn's first slice; -1 before it. */
  private turnStart = -1
  /** A slice was pushed and MQTT.js may still be handling it. */
  private handling = false
  private socketEnded = false
  private wanted = false
  private readonly nextTurn = (): void => {
    this.turnBytes = 0
    this.turnStart = -1
    this.pump()
  }
  private readonly handled = (): void => {
    this.handling = false
    this.pump()
  }
  /**
   * Queued as a nextTick after a push: MQTT.js's handling is a chain of nextTicks, and a microtask queued from
   * any of them runs only once the whole tick queue is empty (from a microtask itself, it would run at once).
   */
  private readonly afterHandling = (): void => queueMicrotask(this.handled)

  constructor(private readonly socket: Duplex) {
    super({ allowHalfOpen: false })
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk)
      this.queued += chunk.length
      if (this.queued >= AHEAD_BYTES) socket.pause()
      this.pump()
    })
    socket.on('end', () => {
      this.socketEnded = true
      this.pump()
    })
    socket.on('error', (err) => this.destroy(err))
    socket.on('close', () => {
      // Closed before its end was read (a reset, or destroyed here): nothing more will come.
      if (!this.socketEnded || this.queued > 0) this.destroy()
    })
  }

  override _read(): void {
    this.wanted = true
    this.pump()
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    // Each write reaches the socket at once, as on the socket itself (a SUBSCRIBE right after CONNACK goes out in
    // the same turn); only the socket's own backpressure holds the next one.
    if (this.socket.write(chunk, encoding)) done()
    else this.socket.once('drain', () => done())
  }

  /**
   * MQTT.js writes a packet in pieces between cork() and uncork(): they go to the socket as one write, as they
   * did on the socket itself (apart, Nagle held a SUBSCRIBE's tail for the broker's delayed ack, ~40 ms).
   */
  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    done: (err?: Error | null) => void,
  ): void {
    const all =
      chunks.length === 1 ? (chunks[0] as { chunk: Buffer }).chunk : Buffer.concat(chunks.map((c) => c.chunk))
    if (this.socket.write(all)) done()
    else this.socket.once('drain', () => done())
  }

  override _final(done: (err?: Error | null) => void): void {
    this.socket.end()
    done()
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.queue.length = 0
    this.queued = 0
    this.socket.destroy()
    done(err)
  }

  /** Hands on the next slice when MQTT.js wants it, has handled the one before, and the turn allows it. */
  private pump(): void {
    if (this.wanted && !this.handling && this.queue.length > 0) {
      if (this.turnStart < 0) {
        this.turnStart = performance.now()
        setImmediate(this.nextTurn)
      }
      if (
        this.turnBytes === 0 ||
        (this.turnBytes < TURN_MAX_BYTES && performance.now() - this.turnStart < TURN_MS)
      )
        this.pushSlice()
    }
    if (this.queued <= AHEAD_BYTES / 2 && this.socket.isPaused()) this.socket.resume()
    if (this.queue.length === 0 && this.socketEnded && !this.handling) this.push(null)
  }

  private pushSlice(): void {
    const head = this.queue[0] as Buffer
    const take = Math.min(head.length, SLICE_BYTES)
    if (take === head.length) this.queue.shift()
    else this.queue[0] = head.subarray(take)
    this.queued -= take
    this.turnBytes += take
    this.handling = true
    this.wanted = this.push(take === head.length ? head : head.subarray(0, take))
    process.nextTick(this.afterHandling)
  }
}
