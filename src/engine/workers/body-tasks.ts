import { BodyIndexes, MISSING } from '../body-view/body-index'
import { parentPort } from 'node:worker_threads'
import type { BackgroundNote, TaskInput, TaskOutput } from './protocol'
import { checkMemory } from './worker-memory'
import { TaskFailure } from './task-failure'

/** Worker side of the body views: one set of indexes per worker, kept between tasks. */
const indexes = new BodyIndexes(checkMemory, (bodyId, on) =>
  parentPort?.postMessage({ background: bodyId, on } satisfies BackgroundNote),
)

function found<T>(r: T | typeof MISSING): T {
  if (r === MISSING) throw new TaskFailure({ kind: 'missing', message: 'The worker does not hold this body' })
  return r
}

export async function bodyLines(p: TaskInput<'body.lines'>): Promise<TaskOutput<'body.lines'>> {
  return found(await indexes.lines(p.bodyId, p.view, p.from, p.count, p.source))
}

export async function bodySearch(p: TaskInput<'body.search'>): Promise<TaskOutput<'body.search'>> {
  return found(await indexes.search(p.bodyId, p.view, p.query, p.caseSensitive, p.fromOffset, p.source))
}

export function bodyForget(p: TaskInput<'body.forget'>): Promise<TaskOutput<'body.forget'>> {
  indexes.forget(p.bodyId)
  return Promise.resolve(null)
}
