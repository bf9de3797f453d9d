import { Duplex, type Writable } from 'node:stream'
import { isQuick, packetEnd, readQuick, TopicCache, type QuickReader } from './mqtt-quick-publish'
import { RawTopics } from './mqtt-raw-topics'
import type { SizeGuard } from './mqtt-size-guard'

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

/** Bytes copied to join reads, by every paced stream: a test bounds the work a trickled message costs. */
let joinedBytes = 0
export const readJoins = (): number => joinedBytes

/**
 * The connection MQTT.js reads and writes: writes go straight to the socket; reads are handed on TURN_BYTES a
 * turn, as whole packets where they fit, so MQTT.js is at a packet's start whenever it has handled what it was
 * handed: then the plain QoS 0 publishes that come next are read here instead (`readPublishes`). Ends, errors and
 * closes are the socket's. It paces any duplex: a TCP or TLS socket, or the stream MQTT.js makes of its own
 * WebSocket.
 */
export class PacedStream extends Duplex {
  private readonly queue: Buffer[] = []
  private queued = 0
  private turnBytes = 0
  private turnScheduled = false
  private socketEnded = false
  private endScheduled = false
  private wanted = false
  /** MQTT.js's side of the pipe: idle when it has handled every byte handed on. */
  private sink: Writable | null = null
  /** Reads plain QoS 0 publishes while MQTT.js is idle (mqtt-quick-publish.ts); null until CONNACK. */
  private quick: QuickReader | null = null
  private readonly topics = new TopicCache()
  /** Whether the packets' bounds are known (false after a malformed length: all goes to MQTT.js). */
  private framed = true
  /** Bytes of the packet MQTT.js was handed the start of that it still awaits (0: at a packet's start). */
  private bodyLeft = 0
  /** Nothing more is handed on or read here (`stop`, or a message refused by the guard). */
  private stopped = false
  /** The bytes of the topics MQTT.js is handed that are not UTF-8, for the messages it tells. */
  readonly rawTopics = new RawTopics()
  /** Sees every byte before MQTT.js does; hands on none of a refused message (mqtt-size-guard.ts). */
  private guard: SizeGuard | null = null
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

  override pipe<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T {
    this.sink = dest as unknown as Writable
    return super.pipe(dest, options)
  }

  /** From now on, plain QoS 0 publishes are read here whenever MQTT.js has nothing left to handle. */
  readPublishes(reader: QuickReader): void {
    this.quick = reader
  }

  /** From now on, every byte handed on passes `guard` first. */
  guardSizes(guard: SizeGuard): void {
    this.guard = guard
  }

  /**
   * Calls `done` once MQTT.js has handled every byte handed on (a QoS 1 message's PUBACK written), or after
   * `turns` turns of the event loop at most.
   */
  whenHandled(done: () => void, turns = 50): void {
    let left = turns
    const check = (): void => {
      if (this.destroyed || this.idle() || --left <= 0) done()
      else setImmediate(check)
    }
    setImmediate(check)
  }

  /**
   * Hands on and reads nothing more (the broker broke the protocol): MQTT.js still handles the packets it parsed
   * before, and the connection is then cut.
   */
  stop(): void {
    this.stopped = true
    this.quick = null
    this.unpipe()
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

  /**
   * What to do with the head of the queue: bytes to hand MQTT.js (> 0), quick publishes read here (< 0, taken
   * off the queue already) or 0 to wait for the rest of a packet.
   */
  private next(budget: number): number {
    let head = this.queue[0] as Buffer
    if (!this.framed) return Math.min(head.length, budget)
    if (this.bodyLeft > 0) return Math.min(head.length, budget, this.bodyLeft)
    let end = packetEnd(head, 0)
    // A packet's head (at most 5 bytes) split between reads: joined, a few bytes.
    if (end === -1 && this.queue.length > 1) end = packetEnd((head = this.front(Math.min(5, this.queued))), 0)
    if (end === -1 && !this.socketEnded) return 0
    if (end < 0) {
      // A malformed length, or the connection's last bytes: MQTT.js's parser says what they are.
      this.unframe()
      return Math.min(head.length, budget)
    }
    const quick = this.quick
    if (quick !== null && this.idle() && isQuick(head, 0, end, quick)) {
      if (end > head.length) {
        // Joined once all of it is here: joining each read as it came copied the growing packet again and
        // again (a 16 KB message trickled a byte a read cost 128 MB of copying).
        if (this.queued >= end) head = this.front(end)
        else if (!this.socketEnded) return 0
        else {
          this.unframe()
          return Math.min(head.length, budget)
        }
      }
      return -this.readHere(head, budget, quick)
    }
    this.rawTopics.handedOn(head, 0, end)
    if (end > head.length || end > budget) {
      // A packet larger than the read or the turn: MQTT.js gets its start now, the rest as it comes.
      this.bodyLeft = end
      return Math.min(head.length, budget)
    }
    // Whole packets up to the budget: MQTT.js is then at a packet's start again.
    let at = end
    while (at < head.length && at < budget) {
      const e = packetEnd(head, at)
      if (e < 0 || e > head.length || e > budget) break
      if (quick !== null && this.idle() && isQuick(head, at, e, quick)) break
      this.rawTopics.handedOn(head, at, e)
      at = e
    }
    return at
  }

  private unframe(): void {
    this.framed = false
    this.rawTopics.unframed()
  }

  /** Reads the quick publishes at the head of the queue: the log keeps their bytes first, then each is told. */
  private readHere(head: Buffer, budget: number, quick: QuickReader): number {
    const stop = (): boolean => this.destroyed || this.quick !== quick
    const n = readQuick(head, budget, quick, this.topics, false, stop)
    const taken = n === head.length ? head : head.subarray(0, n)
    this.takeBytes(n)
    this.onSlice(taken)
    readQuick(taken, n, quick, this.topics, true, stop)
    return n
  }

  /** Hands `n` bytes at the head of the queue to MQTT.js. */
  private handOn(n: number): void {
    let slice = this.takeBytes(n)
    const inParts = this.bodyLeft > 0
    if (inParts) this.bodyLeft -= n
    const pass = this.guard ? this.guard.pass(slice) : n
    if (pass < n) {
      // A message past the limit: what came before it is handed on, and nothing from it on.
      this.stopped = true
      this.quick = null
      slice = slice.subarray(0, pass)
    }
    if (slice.length === 0) return
    if (inParts) this.rawTopics.continued(slice)
    this.onSlice(slice)
    this.wanted = this.push(slice)
  }

  /** Takes `n` bytes off the head of the queue (they count against the turn). */
  private takeBytes(n: number): Buffer {
    const head = this.queue[0] as Buffer
    const slice = n === head.length ? head : head.subarray(0, n)
    if (n === head.length) this.queue.shift()
    else this.queue[0] = head.subarray(n)
    this.queued -= n
    this.turnBytes += n
    return slice
  }

  /** Makes the queue's first read hold its first `n` bytes (n <= queued), copying those bytes once. */
  private front(n: number): Buffer {
    const head = this.queue[0] as Buffer
    if (head.length >= n) return head
    const joined = Buffer.allocUnsafe(n)
    let at = 0
    let whole = 0
    while (at < n) {
      const read = this.queue[whole] as Buffer
      const k = Math.min(read.length, n - at)
      read.copy(joined, at, 0, k)
      at += k
      if (k === read.length) whole++
      else this.queue[whole] = read.subarray(k)
    }
    this.queue.splice(0, whole, joined)
    joinedBytes += n
    return joined
  }

  /** MQTT.js has handled every byte handed on: a publish read here now keeps its place among the packets. */
  private idle(): boolean {
    return this.sink !== null && this.readableLength === 0 && this.sink.writableLength === 0
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
    if (this.stopped) return
    while (this.wanted && this.queue.length > 0 && this.turnBytes < TURN_BYTES && !this.destroyed) {
      const take = this.next(TURN_BYTES - this.turnBytes)
      if (take === 0) break
      if (take > 0) this.handOn(take)
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
