import { LEGACY_WS, TRANSPORT_WS } from '../../shared/graphql'

/**
 * The two GraphQL-over-WebSocket protocols as state machines, with no socket of their own: the session
 * (graphql-ws-session.ts) feeds each incoming text frame to `receive` and does what the reaction says.
 *
 * - `graphql-transport-ws` (the `graphql-ws` library): connection_init → connection_ack, then subscribe /
 *   next / error / complete per operation id; ping/pong either way at any time.
 * - `graphql-ws` (the legacy subscriptions-transport-ws): connection_init → connection_ack (or
 *   connection_error), start / data / error / complete, stop from the client, and `ka` keep-alives.
 *
 * Anything the protocol does not allow where it came (not JSON, no type, a type the protocol has not, a result
 * before the ack or for an id never subscribed, a second ack) is a violation: the session ends with it in plain
 * words, never a silent close.
 */

export type WsProtocolName = typeof TRANSPORT_WS | typeof LEGACY_WS

/** What the session does with one incoming frame. */
export type Reaction =
  /** The server accepted the connection: subscribe now. */
  | { kind: 'ack'; type: string }
  /** A keep-alive (`ka`, ping, pong): recorded as one, quiet on the lane; `reply` is sent back when set. */
  | { kind: 'keepalive'; type: string; ping: boolean; reply?: string }
  /** One execution result of operation `id`. */
  | { kind: 'next'; type: string; id: string; payload: unknown }
  /** Operation `id` failed: its errors. */
  | { kind: 'error'; type: string; id: string; payload: unknown }
  /** Operation `id` is over. */
  | { kind: 'complete'; type: string; id: string }
  /** The server refused the connection (legacy connection_error). */
  | { kind: 'refused'; type: string; payload: unknown }
  /** The frame breaks the protocol. */
  | { kind: 'violation'; type: string | undefined; message: string }
  /**
   * A result, error or complete for an operation the client stopped: it was in flight when the stop went out
   * (the server had not read it yet). Logged, not a violation: on a shared connection it must not break the
   * other operations.
   */
  | { kind: 'stale'; type: string; id: string }

export interface WsProtocol {
  readonly name: WsProtocolName
  /** The frame that opens the conversation. */
  init(connectionParams: Record<string, unknown> | undefined): string
  /** The frame that starts operation `id`. */
  subscribe(id: string, payload: Record<string, unknown>): string
  /** The frame that stops operation `id` (the person's Stop). */
  stop(id: string): string
  receive(text: string): Reaction
  /** Whether the server has acknowledged the connection. */
  readonly acknowledged: boolean
}

interface Frame {
  type?: unknown
  id?: unknown
  payload?: unknown
}

/** Most characters of a frame quoted back in a violation's words. */
const QUOTE = 120

function parseFrame(text: string): { frame: Frame } | { violation: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { violation: `The server sent a message that is not JSON: ${quote(text)}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { violation: `The server sent a message that is not a JSON object: ${quote(text)}` }
  const frame = value as Frame
  if (typeof frame.type !== 'string')
    return { violation: `The server sent a message without a type: ${quote(text)}` }
  return { frame }
}

function quote(text: string): string {
  return text.length > QUOTE ? `${text.slice(0, QUOTE)}…` : text
}

/** Stopped operation ids remembered, so a result in flight when the stop went out is not a violation. */
const STOPPED_KEPT = 1000

/** Operation ids the session subscribed and not yet completed: results for any other id are violations. */
class Operations {
  private readonly open = new Set<string>()
  private readonly stopped = new Set<string>()
  add(id: string): void {
    this.open.add(id)
  }
  has(id: unknown): id is string {
    return typeof id === 'string' && this.open.has(id)
  }
  wasStopped(id: unknown): id is string {
    return typeof id === 'string' && this.stopped.has(id)
  }
  end(id: string): void {
    this.open.delete(id)
  }
  /** The client stopped `id`: late messages for it are stale, not violations (the newest STOPPED_KEPT ids). */
  stop(id: string): void {
    if (!this.open.delete(id)) return
    this.stopped.add(id)
    if (this.stopped.size > STOPPED_KEPT) this.stopped.delete(this.stopped.values().next().value as string)
  }
}

abstract class Base implements WsProtocol {
  abstract readonly name: WsProtocolName
  acknowledged = false
  protected readonly ops = new Operations()

  abstract init(connectionParams: Record<string, unknown> | undefined): string
  abstract subscribe(id: string, payload: Record<string, unknown>): string
  abstract stop(id: string): string
  abstract receive(text: string): Reaction

  protected ack(type: string): Reaction {
    if (this.acknowledged)
      return { kind: 'violation', type, message: `The server acknowledged the connection twice (${type})` }
    this.acknowledged = true
    return { kind: 'ack', type }
  }

  /** A result (`next` / `data`, `error`, `complete`) must come after the ack and name an open operation. */
  protected forOperation(type: string, frame: Frame): { id: string } | { violation: Reaction } {
    if (!this.acknowledged)
      return {
        violation: {
          kind: 'violation',
          type,
          message: `The server sent ${type} before acknowledging the connection`,
        },
      }
    if (this.ops.wasStopped(frame.id)) return { violation: { kind: 'stale', type, id: frame.id } }
    if (!this.ops.has(frame.id))
      return {
        violation: {
          kind: 'violation',
          type,
          message: `The server sent ${type} for an operation never started (id ${quote(JSON.stringify(frame.id) ?? 'none')})`,
        },
      }
    return { id: frame.id }
  }
}

export class TransportWsProtocol extends Base {
  readonly name = TRANSPORT_WS

  init(connectionParams: Record<string, unknown> | undefined): string {
    return JSON.stringify(
      connectionParams ? { type: 'connection_init', payload: connectionParams } : { type: 'connection_init' },
    )
  }

  subscribe(id: string, payload: Record<string, unknown>): string {
    this.ops.add(id)
    return JSON.stringify({ id, type: 'subscribe', payload })
  }

  stop(id: string): string {
    this.ops.stop(id)
    return JSON.stringify({ id, type: 'complete' })
  }

  receive(text: string): Reaction {
    const parsed = parseFrame(text)
    if ('violation' in parsed) return { kind: 'violation', type: undefined, message: parsed.violation }
    const { frame } = parsed
    const type = frame.type as string
    switch (type) {
      case 'connection_ack':
        return this.ack(type)
      case 'ping':
        return { kind: 'keepalive', type, ping: true, reply: JSON.stringify({ type: 'pong' }) }
      case 'pong':
        return { kind: 'keepalive', type, ping: false }
      case 'next':
      case 'error':
      case 'complete': {
        const op = this.forOperation(type, frame)
        if ('violation' in op) return op.violation
        if (type === 'next') return { kind: 'next', type, id: op.id, payload: frame.payload }
        this.ops.end(op.id)
        if (type === 'error') return { kind: 'error', type, id: op.id, payload: frame.payload }
        return { kind: 'complete', type, id: op.id }
      }
      default:
        return {
          kind: 'violation',
          type,
          message: `The server sent "${quote(type)}", which ${TRANSPORT_WS} has no message for`,
        }
    }
  }
}

export class LegacyWsProtocol extends Base {
  readonly name = LEGACY_WS

  init(connectionParams: Record<string, unknown> | undefined): string {
    return JSON.stringify({ type: 'connection_init', payload: connectionParams ?? {} })
  }

  subscribe(id: string, payload: Record<string, unknown>): string {
    this.ops.add(id)
    return JSON.stringify({ id, type: 'start', payload })
  }

  stop(id: string): string {
    this.ops.stop(id)
    return JSON.stringify({ id, type: 'stop' })
  }

  receive(text: string): Reaction {
    const parsed = parseFrame(text)
    if ('violation' in parsed) return { kind: 'violation', type: undefined, message: parsed.violation }
    const { frame } = parsed
    const type = frame.type as string
    switch (type) {
      case 'connection_ack':
        return this.ack(type)
      case 'connection_error':
        return { kind: 'refused', type, payload: frame.payload }
      // The keep-alive comes first thing after the ack and then on a timer; before the ack it is allowed too.
      case 'ka':
        return { kind: 'keepalive', type, ping: true }
      case 'data':
      case 'error':
      case 'complete': {
        const op = this.forOperation(type, frame)
        if ('violation' in op) return op.violation
        if (type === 'data') return { kind: 'next', type, id: op.id, payload: frame.payload }
        this.ops.end(op.id)
        if (type === 'error') return { kind: 'error', type, id: op.id, payload: frame.payload }
        return { kind: 'complete', type, id: op.id }
      }
      default:
        return {
          kind: 'violation',
          type,
          message: `The server sent "${quote(type)}", which the legacy ${LEGACY_WS} protocol has no message for`,
        }
    }
  }
}

export function protocolFor(name: string): WsProtocol | null {
  if (name === TRANSPORT_WS) return new TransportWsProtocol()
  if (name === LEGACY_WS) return new LegacyWsProtocol()
  return null
}
