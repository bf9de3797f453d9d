import { open } from 'node:fs/promises'
import type { BodyLines, BodySearchResult, BodyView } from '../../shared/body-view'
import { fail, ok, type Result } from '../../shared/result'
import type { BodyStore } from '../http/body-store'
import { bodySourceOf } from '../workers/body-source-of'
import { sharedPool, TaskFailed, WorkerDied, type WorkerPool } from '../workers/pool'
import type { BodyTaskBase } from '../workers/protocol'

/**
 * Line views of stored bodies for the response viewer, on the engine's thread. The indexing, rendering and
 * searching happen in the worker pool (body-index.ts): a 100 MB body is indexed without stalling the thread
 * that carries traffic, and a body that breaks its worker (past its memory budget, past its time) fails with a
 * plain error on that body while everything else goes on.
 */

const CHUNK = 1024 * 1024
/** Bodies past this are offered as a download, never indexed. */
export const MAX_VIEW_BYTES = 512 * 1024 * 1024

let nextStore = 1

export class BodyViews {
  /** Body ids are per store; a worker serves several stores (several engines in one process, tests). */
  private readonly prefix = `s${nextStore++}:`
  /** Views whose indexing broke a worker, with the error they get from then on (not broken again). */
  private readonly broken = new Map<string, Result<never>>()

  constructor(
    private readonly bodies: BodyStore,
    private readonly pool: WorkerPool = sharedPool(),
  ) {}

  async lines(bodyId: string, view: BodyView, from: number, count: number): Promise<Result<BodyLines>> {
    return this.ask(bodyId, view, 'Indexing', (base) =>
      this.pool.run('body.lines', { ...base, from, count }, { key: base.bodyId }),
    )
  }

  /**
   * Find `query` in the body's bytes from byte `fromOffset`, and name the view line of each match. Matching is
   * on the body's text as sent (so `"a":1` matches the source, shown as `"a": 1`), ASCII case-insensitive
   * unless asked otherwise.
   */
  async search(
    bodyId: string,
    view: BodyView,
    query: string,
    caseSensitive: boolean,
    fromOffset: number,
  ): Promise<Result<BodySearchResult>> {
    return this.ask(bodyId, view, 'Searching', (base) =>
      this.pool.run('body.search', { ...base, query, caseSensitive, fromOffset }, { key: base.bodyId }),
    )
  }

  /** Copy a body to `path` (the person picked it), in chunks, never whole in memory. */
  async save(bodyId: string, path: string): Promise<Result<{ path: string; bytes: number }>> {
    const writer = this.bodies.get(bodyId)
    if (!writer) return fail('not_found', `No body with id ${bodyId}`)
    if (!writer.ended) return fail('conflict', 'The body is still arriving; save it once it has finished')
    try {
      const fh = await open(path, 'w')
      try {
        let pos = 0
        while (pos < writer.size) {
          const buf = await writer.read(pos, 4 * CHUNK)
          if (buf.length === 0) break
          await fh.write(buf, 0, buf.length, pos)
          pos += buf.length
        }
      } finally {
        await fh.close()
      }
      return ok({ path, bytes: writer.size })
    } catch (e) {
      return fail('file', `Could not write ${path}`, e instanceof Error ? e.message : String(e))
    }
  }

  forget(bodyId: string): void {
    const key = this.prefix + bodyId
    this.broken.delete(`${bodyId}:pretty`)
    this.broken.delete(`${bodyId}:raw`)
    void this.pool.run('body.forget', { bodyId: key }, { key }).catch(() => undefined)
    this.pool.release(key)
  }

  /**
   * Run a body task in the body's worker: first without the body's bytes (the worker usually has it indexed
   * already), again with them when the worker says it does not.
   */
  private async ask<T>(
    bodyId: string,
    view: BodyView,
    doing: string,
    task: (base: BodyTaskBase) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    const broken = this.broken.get(`${bodyId}:${view}`)
    if (broken) return broken
    const writer = this.bodies.get(bodyId)
    if (!writer) return fail('not_found', `No body with id ${bodyId}`)
    if (!writer.ended) return fail('conflict', 'The body is still arriving')
    if (writer.size > MAX_VIEW_BYTES)
      return fail('body_too_large', 'This body is too large to show; save it to a file instead')
    const base: BodyTaskBase = { bodyId: this.prefix + bodyId, view }
    try {
      try {
        // A temp file's path costs nothing to send; bytes only when the worker lacks them.
        return await task(writer.onDisk ? { ...base, source: bodySourceOf(writer) } : base)
      } catch (e) {
        if (!(e instanceof TaskFailed && e.failure.kind === 'missing')) throw e
      }
      return await task({ ...base, source: bodySourceOf(writer) })
    } catch (e) {
      const r = workerFailure(e, doing)
      if (e instanceof WorkerDied) this.broken.set(`${bodyId}:${view}`, r)
      return r
    }
  }
}

/** The plain error for a body task whose worker died or failed. */
function workerFailure(e: unknown, doing: string): Result<never> {
  const view = 'the body is kept: download it or view it raw'
  if (e instanceof WorkerDied) {
    if (e.reason === 'memory')
      return fail(
        'too_large',
        `${doing} this body ran out of memory in its worker (limit ${e.limitMb} MB); ${view}`,
        e.message,
      )
    if (e.reason === 'timeout')
      return fail(
        'too_large',
        `${doing} this body took longer than ${Math.round(e.timeoutMs / 1000)} s in its worker and was stopped; ${view}`,
        e.message,
      )
    return fail('internal', `${doing} this body stopped its worker; ${view}`, e.message)
  }
  if (e instanceof TaskFailed) return fail('internal', `${doing} this body failed in its worker`, e.message)
  return fail('internal', `${doing} this body failed`, e instanceof Error ? e.message : String(e))
}
