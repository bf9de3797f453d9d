/** A value, or a promise of it: what a loader gives when its module may already be imported. */
export type Maybe<T> = T | Promise<T>

function isPromise<T>(value: Maybe<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/**
 * Runs `next` on `value` at once when it is there, after it when it is a promise. A part whose modules are
 * already imported (the hosts that build every part at start) is so built synchronously, and the same code
 * builds it on first use elsewhere.
 */
export function chain<T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> {
  return isPromise(value) ? value.then(next) : next(value)
}

/**
 * One of the engine's parts, built the first time something needs it, and once. A one-request `send` never
 * needs the collections, the stream engine, jobs or the runner, and importing them was half its start-up; a
 * host that keeps them all builds each at once with `now()`. A build that fails is tried again on next use.
 */
export class OnDemand<T> {
  private value: T | undefined
  private building: Promise<T> | undefined

  private closed = false

  constructor(private readonly build: () => Maybe<T>) {}

  /** No build after this: a command on its way when the engine stops fails, not builds a part nobody disposes. */
  close(): void {
    this.closed = true
  }

  /** The part if it is built; undefined means nothing that needs it has run, so there is nothing of it. */
  peek(): T | undefined {
    return this.value
  }

  /** The part, built now if its build is synchronous, else once its modules are imported. */
  use(): Maybe<T> {
    if (this.value !== undefined) return this.value
    if (this.building) return this.building
    if (this.closed) throw new Error('Flightdeck is stopping: this part is not built')
    const built = this.build()
    if (!isPromise(built)) {
      this.value = built
      return built
    }
    this.building = built.then(
      (value) => {
        this.value = value
        this.building = undefined
        return value
      },
      (e: unknown) => {
        this.building = undefined
        throw e
      },
    )
    return this.building
  }

  get(): Promise<T> {
    return Promise.resolve(this.use())
  }

  /** Builds it now: only for a part whose modules are already imported (else this is a bug, said as such). */
  now(): T {
    const value = this.use()
    if (isPromise(value)) throw new Error('OnDemand.now: this part is built asynchronously')
    return value
  }

  /** Once a build under way has ended, however it ended (dispose waits for it, then disposes what it built). */
  async settled(): Promise<void> {
    await this.building?.catch(() => undefined)
  }
}
