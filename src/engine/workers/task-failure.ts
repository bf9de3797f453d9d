import type { TaskFailure as Failure } from './protocol'

/** Thrown by a task inside a worker: sent back as its failure, the worker lives on. */
export class TaskFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message)
  }
}
