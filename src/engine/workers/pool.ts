import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import {
  EXIT_OUT_OF_MEMORY,
  type HostCall,
  type HostReply,
  type TaskFailure,
  type TaskInput,
  type TaskKind,
  type TaskOutput,
  type TaskReply,
  type WorkerMessage,
  type TaskRequest,
  type WorkerConfig,
} from './protocol'
import { threadWaitMs } from './thread-wait'
import { workerEntry } from './worker-entry-path'

/**
 * A few worker threads for the engine's CPU-heavy or unbounded work (body indexing and search, imports), so
 * the thread that carries traffic never stalls on it. Each worker has a memory budget (V8's heap limit, and
 * the worker's own check of heap plus off-heap buffers) and each task a time limit. A worker that dies (out of
 * memory, over time, a crash) fails the tasks it held with a `WorkerDied` naming why; the next task starts a
 * fresh worker in its place.
 */

export interface PoolOptions {
  /** Workers at most; by default one less than the cores (the engine's thread keeps one), from 1 to 4. */
  size?: number
  /** Each worker's memory budget. */
  memoryMb?: number
  /**
   * A task taking longer stops its worker. Time its worker's thread spent waiting for a core (a loaded machine)
   * is not counted, where the platform says how much that was (thread-wait.ts), up to MAX_WALL_FACTOR times the
   * limit in wall time.
   */
  taskTimeoutMs?: number
}

export const DEFAULT_WORKER_MEMORY_MB = 512

/** The heap size past which V8 itself gives up, for a worker whose budget is `budgetMb`. */
export function v8HeapLimitMb(budgetMb: number): number {
  return Math.max(budgetMb * 4, budgetMb + 2048)
}
export const DEFAULT_TASK_TIMEOUT_MS = 120_000
const MAX_POOL_SIZE = 4
/** However starved its worker, a task ends by this many times its time limit in wall time. */
export const MAX_WALL_FACTOR = 10
/** Keys remembered for affinity; the oldest are dropped past this (a dropped key just picks a worker again). */
const MAX_KEYS = 10_000

export type DeathReason = 'memory' | 'timeout' | 'crash'

/** The worker running a task died; `alone` says whether that task was the only one it held. */
export class WorkerDied extends Error {
  constructor(
    readonly reason: DeathReason,
    readonly limitMb: number,
    readonly timeoutMs: number,
    readonly alone: boolean,
    detail: string,
  ) {
    super(detail)
  }
}

/** The task itself failed (the worker lives on). */
export class TaskFailed extends Error {
  constructor(readonly failure: TaskFailure) {
    super(failure.message)
  }
}

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  timer: NodeJS.Timeout
  request: TaskRequest
  attempt: number
  key: string | undefined
  timeoutMs: number
  onCall: HostCallHandler | undefined
  /** When the task was sent (Date.now()), and how long its worker's thread had waited for a core by then. */
  sentAt: number
  waitedBefore: number
}

/** Does what a worker asks of the engine's thread while it runs a task (see `HostCall`). */
export type HostCallHandler = (name: string, input: unknown) => Promise<unknown>

class Slot {
  worker: Worker | null = null
  readonly pending = new Map<number, Pending>()
  /** Why the current worker is being stopped, when the pool stopped it. */
  stopping: DeathReason | null = null
  timedOut: number | null = null
  /** The worker's thread (thread-wait.ts), once it has said. */
  thread: string | null = null
  /** Keys whose work runs on in the background (a body being indexed after its first lines went back). */
  readonly background = new Set<string>()
}

/** What the workers told of their memory between chunks of work. */
export interface PoolMemory {
  /** The latest figure of each live worker, added up. */
  current: number
  /** The highest `current` since the last `resetPeak`. */
  peak: number
}

export interface RunOptions {
  /** Tasks with the same key go to the same worker while it lives (it may hold state for the key). */
  key?: string
  timeoutMs?: number
  /** Answers the worker's host calls during this task; without it they fail. */
  onCall?: HostCallHandler
}

export class WorkerPool {
  readonly size: number
  readonly memoryMb: number
  readonly taskTimeoutMs: number
  private readonly slots: Slot[]
  private readonly keys = new Map<string, number>()
  private nextId = 1
  private started = 0
  private readonly reported = new Map<Slot, number>()
  private peak = 0
  private closed = false

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, Math.min(MAX_POOL_SIZE, options.size ?? Math.max(1, availableParallelism() - 1)))
    this.memoryMb = options.memoryMb ?? DEFAULT_WORKER_MEMORY_MB
    this.taskTimeoutMs = options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS
    this.slots = Array.from({ length: this.size }, () => new Slot())
  }

  /** The live workers' threads (thread-wait.ts), where the platform names them. */
  get workerThreads(): string[] {
    return this.slots.flatMap((s) => (s.worker && s.thread ? [s.thread] : []))
  }

  /** Workers started so far, replacements included. */
  get workersStarted(): number {
    return this.started
  }

  run<K extends TaskKind>(kind: K, input: TaskInput<K>, options: RunOptions = {}): Promise<TaskOutput<K>> {
    if (this.closed) return Promise.reject(new Error('The worker pool is closed'))
    return new Promise<TaskOutput<K>>((resolve, reject) => {
      const request: TaskRequest = { id: this.nextId++, kind, input }
      this.dispatch(
        request,
        options.key,
        options.timeoutMs ?? this.taskTimeoutMs,
        resolve as (v: unknown) => void,
        reject,
        0,
        options.onCall,
      )
    })
  }

  /** Memory the workers reported lately (between chunks of work; no round trip). */
  memory(): PoolMemory {
    return { current: this.currentMemory(), peak: this.peak }
  }

  resetPeak(): void {
    this.peak = this.currentMemory()
  }

  /** Ask every live worker for its memory in use, after a full collection when `collect`. */
  async measureMemory(collect: boolean): Promise<number> {
    const live = this.slots.filter((s) => s.worker !== null)
    const figures = await Promise.all(
      live.map(
        (slot) =>
          new Promise<number>((resolve, reject) => {
            const request: TaskRequest = { id: this.nextId++, kind: 'worker.memory', input: { collect } }
            this.send(
              slot,
              request,
              this.taskTimeoutMs,
              resolve as (v: unknown) => void,
              reject,
              0,
              undefined,
              undefined,
            )
          }),
      ),
    )
    live.forEach((slot, i) => this.noteMemory(slot, figures[i] ?? 0))
    return figures.reduce((a, b) => a + b, 0)
  }

  private noteMemory(slot: Slot, bytes: number): void {
    this.reported.set(slot, bytes)
    this.peak = Math.max(this.peak, this.currentMemory())
  }

  private currentMemory(): number {
    let sum = 0
    for (const v of this.reported.values()) sum += v
    return sum
  }

  /** Whether a task ran under `key` in a worker that may still hold its state. */
  hasKey(key: string): boolean {
    return this.keys.has(key)
  }

  /** Forget a key's worker (its state there is gone or no longer wanted). */
  release(key: string): void {
    this.keys.delete(key)
  }

  /** Stop every worker; tasks under way fail. */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all(
      this.slots.map(async (s) => {
        s.stopping = 'crash'
        await s.worker?.terminate()
      }),
    )
  }

  private dispatch(
    request: TaskRequest,
    key: string | undefined,
    timeoutMs: number,
    resolve: (v: unknown) => void,
    reject: (e: Error) => void,
    attempt: number,
    onCall: HostCallHandler | undefined,
  ): void {
    const slot = this.slots[this.slotFor(key)]
    if (!slot) return reject(new Error('no worker slot'))
    this.send(slot, request, timeoutMs, resolve, reject, attempt, key, onCall)
  }

  private send(
    slot: Slot,
    request: TaskRequest,
    timeoutMs: number,
    resolve: (v: unknown) => void,
    reject: (e: Error) => void,
    attempt: number,
    key: string | undefined,
    onCall: HostCallHandler | undefined,
  ): void {
    const worker = slot.worker ?? this.start(slot)
    const timer = setTimeout(() => this.timeout(slot, request.id), timeoutMs)
    // A worker not started yet has waited for nothing: its thread's figure counts from its start.
    const waitedBefore = slot.thread ? (threadWaitMs(slot.thread) ?? 0) : 0
    slot.pending.set(request.id, {
      resolve,
      reject,
      timer,
      request,
      attempt,
      key,
      timeoutMs,
      onCall,
      sentAt: Date.now(),
      waitedBefore,
    })
    if (slot.pending.size === 1) worker.ref()
    worker.postMessage(request)
  }

  private slotFor(key: string | undefined): number {
    if (key !== undefined) {
      const known = this.keys.get(key)
      if (known !== undefined) return known
    }
    let best = 0
    for (let i = 1; i < this.slots.length; i++) {
      if ((this.slots[i]?.pending.size ?? 0) < (this.slots[best]?.pending.size ?? 0)) best = i
    }
    if (key !== undefined) {
      this.keys.set(key, best)
      if (this.keys.size > MAX_KEYS) {
        const oldest = this.keys.keys().next().value
        if (oldest !== undefined) this.keys.delete(oldest)
      }
    }
    return best
  }

  private start(slot: Slot): Worker {
    // node:worker_threads loads with the first worker, not with the engine (most CLI runs start none).
    const { Worker } = process.getBuiltinModule('node:worker_threads')
    const worker = new Worker(workerEntry().code, {
      eval: true,
      name: 'flightdeck-worker',
      resourceLimits: {
        // V8's own limit sits far above the budget: a worker that reaches it can abort the whole process (seen
        // inside JSON.parse and while a worker with a full heap tears down), so the budget is kept by the
        // worker's own check (worker-memory.ts), which ends only the worker. Input sizes are capped (64 MiB
        // files), so the headroom is bounded too.
        maxOldGenerationSizeMb: v8HeapLimitMb(this.memoryMb),
        // Young generation and stack stay small: neither needs to grow with the input.
        maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(this.memoryMb / 16))),
        stackSizeMb: 4,
      },
      workerData: { memoryBytes: this.memoryMb * 1024 * 1024 } satisfies WorkerConfig,
    })
    this.started++
    slot.worker = worker
    slot.stopping = null
    slot.timedOut = null
    slot.thread = null
    slot.background.clear()
    // An idle worker never keeps the process alive; one with tasks does (see dispatch and settle).
    worker.unref()
    worker.on('message', (m: WorkerMessage) => {
      if ('thread' in m) {
        if (slot.worker === worker) slot.thread = m.thread
      } else if ('memory' in m) this.noteMemory(slot, m.memory)
      else if ('call' in m) this.hostCall(slot, worker, m)
      else if ('background' in m) {
        if (m.on) slot.background.add(m.background)
        else slot.background.delete(m.background)
      } else this.settle(slot, m)
    })
    let error: Error | null = null
    worker.on('error', (e) => {
      error = e
    })
    worker.on('exit', (code) => {
      if (slot.worker === worker) slot.worker = null
      this.died(slot, code, error)
    })
    return worker
  }

  private hostCall(slot: Slot, worker: Worker, m: HostCall): void {
    const handler = slot.pending.get(m.task)?.onCall
    const answer = (r: HostReply): void => {
      // The worker may have been replaced meanwhile (its tasks then failed): nobody waits for this answer.
      if (slot.worker === worker) worker.postMessage(r)
    }
    if (!handler) return answer({ reply: m.call, ok: false, message: `${m.name} is not available here` })
    handler(m.name, m.input).then(
      (value) => answer({ reply: m.call, ok: true, value }),
      (e: unknown) =>
        answer({ reply: m.call, ok: false, message: e instanceof Error ? e.message : String(e) }),
    )
  }

  private settle(slot: Slot, reply: TaskReply): void {
    const p = slot.pending.get(reply.id)
    if (!p) return
    slot.pending.delete(reply.id)
    clearTimeout(p.timer)
    if (slot.pending.size === 0) slot.worker?.unref()
    if (reply.ok) p.resolve(reply.value)
    else p.reject(new TaskFailed(reply.failure))
  }

  private timeout(slot: Slot, id: number): void {
    const p = slot.pending.get(id)
    if (!p) return
    // Stuck means it had the time and did not answer: time its thread waited for a core does not count.
    const wall = Date.now() - p.sentAt
    const waited = slot.thread ? (threadWaitMs(slot.thread) ?? p.waitedBefore) - p.waitedBefore : 0
    const left = p.timeoutMs - (wall - waited)
    const ceiling = p.timeoutMs * MAX_WALL_FACTOR - wall
    if (left >= 1 && ceiling >= 1) {
      p.timer = setTimeout(() => this.timeout(slot, id), Math.min(left, ceiling))
      return
    }
    // A task cannot be interrupted inside its worker: stop the worker.
    slot.stopping = 'timeout'
    slot.timedOut = id
    void slot.worker?.terminate()
  }

  private died(slot: Slot, code: number, error: Error | null): void {
    const pending = [...slot.pending.values()]
    slot.pending.clear()
    this.reported.delete(slot)
    const memory =
      code === EXIT_OUT_OF_MEMORY ||
      (error !== null && (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY')
    const reason: DeathReason = memory ? 'memory' : (slot.stopping ?? 'crash')
    const timedOut = slot.timedOut
    const background = new Set(slot.background)
    slot.background.clear()
    const detail = error?.message ?? `worker exited with code ${code}`
    for (const p of pending) {
      clearTimeout(p.timer)
      if (p.key !== undefined) this.keys.delete(p.key)
      // The task that took too long is the culprit; the others it held had done nothing wrong: run them on a
      // fresh worker, once. After a memory death the suspects are the work running in the background (an
      // index being built) or, with none, a task that was alone; the others get one more try, and a task
      // that kills a worker again fails.
      const culprit =
        reason === 'timeout'
          ? p.request.id === timedOut
          : background.size > 0
            ? p.key !== undefined && background.has(p.key)
            : pending.length === 1
      if (!this.closed && !culprit && p.attempt === 0) {
        this.dispatch(p.request, p.key, p.timeoutMs, p.resolve, p.reject, 1, p.onCall)
        continue
      }
      p.reject(new WorkerDied(reason, this.memoryMb, p.timeoutMs, pending.length === 1, detail))
    }
  }
}

let shared: WorkerPool | null = null

/** The process's pool, started on first use. Its idle workers never keep the process alive. */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool()
  return shared
}

/**
 * Replace the process's pool with one of these options (its old workers are stopped). For a host with its own
 * limits, and for tests that need a small memory budget.
 */
export function configureSharedPool(options: PoolOptions): WorkerPool {
  void shared?.close()
  shared = new WorkerPool(options)
  return shared
}
