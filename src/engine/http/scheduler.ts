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
  /** Tickets waiting in every origin's queue: none (most of the time under the limits) and `pump` has no work. */
  private waitingCount = 0
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
    // After every pump, a ticket still waiting is held by its origin's limit (or every slot is taken). So with a
    // slot free, its origin under its limit and nothing of its origin ahead of it, this ticket is the one `pump`
    // would start: start it here, without queueing it or looking at the other origins.
    if (this.running < this.global && o.running < this.perOrigin && o.head >= o.waiting.length) {
      o.running++
      this.running++
      ticket.state = 'running'
      job.run()
      return ticket
    }
    o.waiting.push(ticket)
    this.waitingCount++
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
    } else this.waitingCount--
    ticket.state = 'done'
    if (this.waitingCount > 0) {
      this.pump()
      return
    }
    // Nothing waits anywhere: only forget an origin left with no work (as `pump` would).
    if (o.running === 0 && this.origins.get(o.origin) === o) this.origins.delete(o.origin)
    o.waiting.length = 0
    o.head = 0
  }

  get inFlight(): number {
    return this.running
  }

  /** Tickets waiting for a slot (one withdrawn while it waited is not: it stays in its queue until passed). */
  get queued(): number {
    return this.waitingCount
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
      this.waitingCount--
      bestTicket.state = 'running'
      bestTicket.job.run()
    }
  }
}
