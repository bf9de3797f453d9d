import { describe, expect, it } from 'vitest'
import { Scheduler, type Ticket } from '../../src/engine/http/scheduler'

/**
 * The scheduler starts a request at once when a slot is free and nothing of its origin waits, without queueing
 * it or looking at the other origins. That shortcut must start exactly what the plain rule starts: after any
 * change, in arrival order, every waiting request whose origin and the whole engine are under their limits.
 * Checked against that rule, written out naively, over random sequences of arrivals, ends, withdrawals and
 * limit changes (re-entrant too: a request may end while it starts).
 */

interface ModelTicket {
  seq: number
  origin: string
  state: 'waiting' | 'running' | 'done'
}

class Model {
  tickets: ModelTicket[] = []
  started: number[] = []
  constructor(
    private global: number,
    private perOrigin: number,
  ) {}
  private pump(): void {
    for (;;) {
      const running = this.tickets.filter((t) => t.state === 'running')
      if (running.length >= this.global) return
      const next = this.tickets.find(
        (t) => t.state === 'waiting' && running.filter((r) => r.origin === t.origin).length < this.perOrigin,
      )
      if (!next) return
      next.state = 'running'
      this.started.push(next.seq)
    }
  }
  enqueue(origin: string): ModelTicket {
    const t: ModelTicket = { seq: this.tickets.length, origin, state: 'waiting' }
    this.tickets.push(t)
    this.pump()
    return t
  }
  release(t: ModelTicket): void {
    if (t.state === 'done') return
    t.state = 'done'
    this.pump()
  }
  setLimits(global: number, perOrigin: number): void {
    this.global = global
    this.perOrigin = perOrigin
    this.pump()
  }
}

/** A small deterministic generator (the same sequences every run). */
function rng(seed: number): () => number {
  let x = seed
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648
    return x / 2147483648
  }
}

describe('the scheduler against the plain rule', () => {
  it('starts the same requests in the same order over 300 random sequences', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed)
      const global = 1 + Math.floor(r() * 4)
      const perOrigin = 1 + Math.floor(r() * 3)
      const s = new Scheduler(global, perOrigin)
      const m = new Model(global, perOrigin)
      const started: number[] = []
      const real: Ticket[] = []
      const model: ModelTicket[] = []
      const origins = ['a', 'b', 'c'].slice(0, 1 + Math.floor(r() * 3))
      for (let step = 0; step < 120; step++) {
        const what = r()
        if (what < 0.5 || real.length === 0) {
          const origin = origins[Math.floor(r() * origins.length)] as string
          const seq = real.length
          // Now and then a request that fails as it starts (it ends inside its own start).
          const endsAtOnce = r() < 0.1
          const ticket = s.enqueue(origin, {
            run: () => {
              started.push(seq)
              if (endsAtOnce) queueMicrotask(() => undefined)
            },
          })
          real.push(ticket)
          model.push(m.enqueue(origin))
          if (endsAtOnce && ticket.state === 'running') {
            s.release(ticket)
            m.release(model[seq] as ModelTicket)
          }
        } else if (what < 0.95) {
          const i = Math.floor(r() * real.length)
          s.release(real[i] as Ticket)
          m.release(model[i] as ModelTicket)
        } else {
          const g = 1 + Math.floor(r() * 4)
          const p = 1 + Math.floor(r() * 3)
          s.setLimits(g, p)
          m.setLimits(g, p)
        }
        expect(started, `seed ${seed}, step ${step}`).toEqual(m.started)
        expect(s.inFlight).toBe(m.tickets.filter((t) => t.state === 'running').length)
        expect(s.queued).toBe(m.tickets.filter((t) => t.state === 'waiting').length)
      }
    }
  })
})
