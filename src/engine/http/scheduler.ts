/**
 * Admission control for requests: at most `global` in flight overall and `perOrigin` per origin, the rest
 * wait in FIFO order (by arrival across origins). Time spent waiting here is the "queued" phase.
 */

export interface Runnable {
  run(): void
}

export interface Ticket {
  readonly seq: number
  readonly origin: string
  state: 'waiting' | 'running' | 'done'
  job: Runnable
  /** Its origin's state, found once at enqueue: it stays in `origins` while it has a waiting or running ticket. */
  readonly at: OriginState
}

interface OriginState {
  origin: string
  running: number
  waiting: Ticket[]
  head: number
}

export class Scheduler {
  private running = 0
  private seq = 0
  private readonly origins = new Map<string, OriginState>()

  constructor(
    private global: number,
    private perOrigin: number,
  ) {}

  setLimits(global: number, perOrigin: number): void {
    this.global = global
    this.perOrigin = perOrigin
    this.pump()
  }

  /** Queue work for `origin`; `job.run()` runs (synchronously, maybe now) once a slot is free. */
  enqueue(origin: string, job: Runnable): Ticket {
    const o = this.originState(origin)
    const ticket: Ticket = { seq: this.seq++, origin, state: 'waiting', job, at: o }
    o.waiting.push(ticket)
    this.pump()
    return ticket
  }

  /** Give back the slot of a running ticket, or withdraw a waiting one. Idempotent. */
  release(ticket: Ticket): void {
    if (ticket.state === 'done') return
    const o = ticket.at
    if (ticket.state === 'running') {
      this.running--
      o.running--
    }
    ticket.state = 'done'
    this.pump()
  }

  get inFlight(): number {
    return this.running
  }

  get queued(): number {
    let n = 0
    for (const o of this.origins.values()) n += o.waiting.length - o.head
    return n
  }

  private originState(origin: string): OriginState {
    let o = this.origins.get(origin)
    if (!o) {
      o = { origin, running: 0, waiting: [], head: 0 }
      this.origins.set(origin, o)
    }
    return o
  }

  private pump(): void {
    while (this.running < this.global) {
      let best: OriginState | null = null
      let bestTicket: Ticket | null = null
      for (const o of this.origins.values()) {
        // Skip withdrawn tickets at the head.
        while (o.head < o.waiting.length && o.waiting[o.head]?.state !== 'waiting') o.head++
        if (o.head >= o.waiting.length) {
          if (o.running === 0) this.origins.delete(o.origin)
          else if (o.head > 0) {
            o.waiting = []
            o.head = 0
          }
          continue
        }
        if (o.running >= this.perOrigin) continue
        const t = o.waiting[o.head]
        if (t && (!bestTicket || t.seq < bestTicket.seq)) {
          best = o
          bestTicket = t
        }
      }
      if (!best || !bestTicket) return
      best.head++
      if (best.head > 1024 && best.head * 2 > best.waiting.length) {
        best.waiting = best.waiting.slice(best.head)
        best.head = 0
      }
      best.running++
      this.running++
      bestTicket.state = 'running'
      bestTicket.job.run()
    }
  }
}
