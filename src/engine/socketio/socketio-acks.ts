import { fail, ok, type Result } from '../../shared/result'
import type { SocketIoAckAnswer, SocketIoDelivery } from '../../shared/socketio'
import { argsJson } from './socketio-args'

/**
 * Answers to a server's ack requests (a server's `emit(event, …, callback)`), parsed once when the session
 * opens, so a bad one is refused before anything connects rather than at the event.
 */

/** Answer values by event name; `*` answers any event that has none of its own. */
export type AckAnswers = ReadonlyMap<string, readonly unknown[]>

export const NO_ACK_ANSWERS: AckAnswers = new Map()

/** JSON text as arguments: an array is several, anything else one, empty text none. */
export function argsFromJsonText(text: string): Result<unknown[]> {
  if (text.trim() === '') return ok([])
  try {
    const v: unknown = JSON.parse(text)
    return ok(Array.isArray(v) ? v : [v])
  } catch (e) {
    return fail('invalid_request', e instanceof Error ? e.message : String(e))
  }
}

export function parseAckAnswers(list: readonly SocketIoAckAnswer[] | undefined): Result<AckAnswers> {
  if (!list || list.length === 0) return ok(NO_ACK_ANSWERS)
  const out = new Map<string, readonly unknown[]>()
  for (const a of list) {
    const event = a.event.trim()
    if (!event) return fail('invalid_request', 'An ack answer needs the event it answers')
    if (out.has(event)) return fail('invalid_request', `Two ack answers for the event ${event.slice(0, 100)}`)
    const args = argsFromJsonText(a.args)
    if (!args.ok)
      return fail(
        'invalid_request',
        `The ack answer for ${event.slice(0, 100)} is not JSON: ${args.error.message}`,
      )
    out.set(event, args.value)
  }
  return ok(out)
}

/** The answer for `event`, or none. */
export function ackAnswerFor(answers: AckAnswers, event: string): readonly unknown[] | undefined {
  return answers.get(event) ?? answers.get('*')
}

type AnswerFunction = (...args: unknown[]) => void

/**
 * The server asked for an ack when socket.io-client hands an answer function as the event's last argument:
 * taken off the arguments (so they are the server's only), or null.
 */
export function takeAnswerFunction(args: unknown[]): AnswerFunction | null {
  const last = args[args.length - 1]
  if (typeof last !== 'function') return null
  args.pop()
  return last as AnswerFunction
}

/**
 * Answers the server's ack request for `event` when an answer is set, and says what to log beside the event
 * (log seq `eventSeq`): the answer sent (`out`), or that none was (`in`, in words).
 */
export function answerAck(
  answers: AckAnswers,
  event: string,
  answer: AnswerFunction,
  eventSeq = -1,
): { dir: 'in' | 'out'; data: string; id: string } {
  const values = ackAnswerFor(answers, event)
  if (!values) {
    const words = `The server asked for an ack of ${event}: no answer is set for it, none sent`
    return { dir: 'in', data: words, id: JSON.stringify({ eventSeq, answered: false }) }
  }
  answer(...values)
  const a = argsJson(values)
  const id: SocketIoDelivery = { eventSeq, answered: true, ...(a.binary ? { binary: a.binary } : {}) }
  return { dir: 'out', data: a.text, id: JSON.stringify(id) }
}
