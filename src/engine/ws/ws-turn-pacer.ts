import type { RawData, WebSocket } from 'ws'

/**
 * How many frames one WebSocket hands the session per turn of the event loop. Node reads a busy socket up to
 * 32 times (64 KB each) per turn, which for tiny frames is half a million messages handled while nothing else
 * runs. Pausing the socket is not enough on its own: `ws` still emits every frame of the read it is parsing, up
 * to 16,384 four-byte frames of a 64 KB read, in the same turn. So past the turn's share the pacer pauses the
 * socket and queues what still arrives, and hands the queue out a share per turn before the socket reads again.
 */
export const TURN_FRAMES = 2000
/**
 * Most frames the queue holds. Once paused, the socket reads nothing more, so the queue holds at most the rest
 * of one read (a 64 KB read is at most 32,768 frames): past this something is wrong, and the session ends
 * with plain words rather than hold an unbounded queue.
 */
export const MAX_QUEUED_FRAMES = 65_536

export type WsFrame =
  { kind: 'message'; data: RawData; isBinary: boolean } | { kind: 'ping' | 'pong'; data: Buffer }

export interface WsTurnPacerOptions {
  /** Handles one frame, in the order the socket delivered them. */
  handle(frame: WsFrame): void
  /** The queue passed `maxQueued`: the pacer has stopped and dropped it; the session must end and say so. */
  cut(queued: number): void
  perTurn?: number
  maxQueued?: number
}

export class WsTurnPacer {
  private readonly perTurn: number
  private readonly maxQueued: number
  private queue: (WsFrame | undefined)[] = []
  private head = 0
  /** Frames handed out since the last turn began. */
  private taken = 0
  private stopped = false

  constructor(
    private readonly ws: WebSocket,
    private readonly options: WsTurnPacerOptions,
  ) {
    this.perTurn = options.perTurn ?? TURN_FRAMES
    this.maxQueued = options.maxQueued ?? MAX_QUEUED_FRAMES
  }

  /** Frames waiting for a later turn. */
  get queued(): number {
    return this.queue.length - this.head
  }

  /** A frame from the socket: handled now, or queued behind earlier ones when this turn's share is used. */
  push(frame: WsFrame): void {
    if (this.stopped) return
    if (this.queued === 0 && this.taken < this.perTurn) {
      this.take(frame)
      return
    }
    if (this.queued >= this.maxQueued) {
      const queued = this.queued
      this.stop()
      this.options.cut(queued)
      return
    }
    this.queue.push(frame)
  }

  /** The socket closed: what arrived before its close is handled now, so the close comes last. */
  flush(): void {
    while (!this.stopped && this.queued > 0) this.options.handle(this.next())
    this.queue = []
    this.head = 0
  }

  /** The session let the socket go: nothing more is handled. */
  stop(): void {
    this.stopped = true
    this.queue = []
    this.head = 0
  }

  private take(frame: WsFrame): void {
    if (this.taken++ === 0) setImmediate(this.turn)
    if (this.taken === this.perTurn) this.ws.pause()
    this.options.handle(frame)
  }

  private next(): WsFrame {
    const frame = this.queue[this.head] as WsFrame
    this.queue[this.head++] = undefined
    return frame
  }

  /** A new turn: this turn's share comes from the queue first; the socket reads again once the queue is empty. */
  private readonly turn = (): void => {
    this.taken = 0
    if (this.stopped) return
    while (this.queued > 0 && this.taken < this.perTurn) this.take(this.next())
    if (this.queued === 0) {
      this.queue = []
      this.head = 0
      if (this.taken < this.perTurn && this.ws.isPaused) this.ws.resume()
    }
  }
}
