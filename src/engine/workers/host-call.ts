import { parentPort } from 'node:worker_threads'
import type { HostCall, HostReply } from './protocol'

/**
 * Worker side of host calls: a task asks the engine's thread to do something for it (a script's
 * `pm.sendRequest` is sent by the engine, so it obeys the engine's rules and shows on the timeline) and waits
 * for the answer. Calls still waiting when the worker dies die with it.
 */

const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
let nextCall = 1

export function callHost(task: number, name: string, input: unknown): Promise<unknown> {
  const port = parentPort
  if (!port) return Promise.reject(new Error(`${name}: not inside a pool worker`))
  const call = nextCall++
  return new Promise((resolve, reject) => {
    waiting.set(call, { resolve, reject })
    port.postMessage({ call, task, name, input } satisfies HostCall)
  })
}

/** The engine's answer to one call. */
export function hostReplied(r: HostReply): void {
  const w = waiting.get(r.reply)
  if (!w) return
  waiting.delete(r.reply)
  if (r.ok) w.resolve(r.value)
  else w.reject(new Error(r.message))
}
