import { Duplex } from 'node:stream'

/**
 * Bytes of the broker's stream handed to MQTT.js in one turn of the event loop; the rest waits for the next
 * turn. MQTT.js handles each packet it parses on its own process.nextTick, and nextTick work all runs before the
 * event loop moves on, so one 64 KB socket read of tiny publishes (about 9,000) was handled in the turn that read
 * it, and a busy socket is read many times a turn: a flooding broker held every other request and session for
 * hundreds of ms. Pausing the socket after so many messages cannot help (the read already parsed is handled
 * whole), so the bytes are handed on in slices, a turn's worth at a time: at most about 2,300 tiny publishes a
 * turn, as a WebSocket session takes at most 2,000 messages.
 */
export const TURN_BYTES = 16 * 1024
/** Bytes read ahead of MQTT.js before the socket stops reading (the size guard sees them as they go on). */
const AHEAD_BYTES = 4 * TURN_BYTES

/**
 * The connection MQTT.js reads and writes: writes go straight to the socket; reads are handed on TURN_BYTES a
 * turn. Ends, errors and closes are the socket's. It paces any duplex: a TCP or TLS socket, or the stream MQTT.js
 * makes of its own WebSocket.
 */
export class PacedStream extends Duplex {
  private readonly queue: Buffer[] = []
  private queued = 0
  private turnBytes = 0
  private turnScheduled = false
  private socketEnded = false
  private endScheduled = false
  private wanted = false
  private readonly nextTurn = (): void => {
    this.turnScheduled = false
    this.turnBytes = 0
    this.pump()
  }

  constructor(
    private readonly socket: Duplex,
    /** Each slice, as it is handed on (the session's log keeps the bytes its messages are read from). */
    private readonly onSlice: (slice: Buffer) => void = () => undefined,
  ) {
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
      // Closed before its end was read (a reset, or destroyed here): nothing more will come. After a clean end,
      // what is still queued (a broker's last burst, its DISCONNECT) is handed on first, then the end.
      if (!this.socketEnded) this.destroy()
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

  /** Hands on what the turn allows, while MQTT.js wants more. */
  private pump(): void {
    while (this.wanted && this.queue.length > 0 && this.turnBytes < TURN_BYTES) {
      const head = this.queue[0] as Buffer
      const take = Math.min(head.length, TURN_BYTES - this.turnBytes)
      const slice = take === head.length ? head : head.subarray(0, take)
      if (take === head.length) this.queue.shift()
      else this.queue[0] = head.subarray(take)
      this.queued -= take
      this.turnBytes += take
      this.onSlice(slice)
      this.wanted = this.push(slice)
    }
    if (this.queued < AHEAD_BYTES && this.socket.isPaused()) this.socket.resume()
    if (this.queue.length > 0 && this.turnBytes >= TURN_BYTES && !this.turnScheduled) {
      this.turnScheduled = true
      setImmediate(this.nextTurn)
    }
    if (this.queue.length === 0 && this.socketEnded && !this.endScheduled) {
      // MQTT.js handles each packet of the last slice on its own nextTick: the end goes after them (a turn
      // later), or the client closes first and the broker's last messages are lost.
      this.endScheduled = true
      setImmediate(() => this.push(null))
    }
  }
}
