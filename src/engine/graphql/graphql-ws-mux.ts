import type { EndedReport } from '../sessions/kernel/session-transport'
import type { Reaction, WsProtocol } from './ws-protocols'

/**
 * Several GraphQL operations multiplexed over one WebSocket, as Apollo Client, Altair and graphql-ws's own
 * client do: one connection per URL, subprotocols, headers and connection params, each operation a session of
 * its own (its own Stop and log, a sibling lane under the connection's row), the connection a session too (its
 * handshake, keep-alives and close on its own lane).
 *
 * The mux is the connection's side: it gives each operation its id, subscribes the ones waiting once the server
 * acknowledges, routes every `next` / `error` / `complete` to its operation, and ends them all when the
 * connection ends. The connection closes as soon as its last operation ends, as graphql-ws's client does by
 * default (`lazyCloseTimeout: 0`): an operation sent after that opens a new connection.
 */

/** What an operation session (graphql-ws-operation.ts) offers the mux. */
export interface MuxedOperation {
  /** The server acknowledged the connection (or had already): send the subscribe through `link`. */
  subscribe(link: MuxLink): void
  /** A message for this operation: recorded on its lane, and acted on (complete and error end it). */
  receive(r: Extract<Reaction, { kind: 'next' | 'error' | 'complete' }>, text: string, t: number): void
  /** The person closes the connection: send the operation's stop if it was started. */
  stopForClose(): void
  /** The connection ended: `report` says how (null: closed before any report, or by the person). */
  connectionEnded(report: EndedReport | null, byPerson: boolean): void
}

/** How an operation reaches the acknowledged connection. */
export interface MuxLink {
  protocol: WsProtocol
  /** Its id on this connection. */
  id: string
  send(frame: string): void
}

/** What the connection's session (graphql-ws-session.ts) tells the mux. */
export interface OperationMux {
  /** The connection row's name. */
  readonly label: string
  ready(protocol: WsProtocol, send: (frame: string) => void): void
  deliver(r: Extract<Reaction, { kind: 'next' | 'error' | 'complete' }>, text: string, t: number): void
  stopAll(): void
  ended(report: EndedReport | null, byPerson: boolean): void
}

/** Operations at once on one shared connection; past it, another connection is opened. */
export const MAX_MUXED = 200

export class ConnectionMux implements OperationMux {
  readonly label: string
  /** The connection's session id, once it is opened. */
  connectionSid = ''
  private readonly ops = new Map<string, MuxedOperation>()
  private readonly idOf = new Map<MuxedOperation, string>()
  private nextId = 1
  private protocol: WsProtocol | null = null
  private send: ((frame: string) => void) | null = null
  private over = false

  constructor(
    readonly key: string,
    label: string,
    /** Close the connection (its last operation ended); the pool forgets the mux. */
    private readonly onEmpty: (mux: ConnectionMux) => void,
    /** The connection ended: the pool forgets the mux. */
    private readonly onEnded: (mux: ConnectionMux) => void,
  ) {
    this.label = label
  }

  /** The mux takes another operation: the connection has not ended or begun closing, and has room. */
  get open(): boolean {
    return !this.over && this.ops.size < MAX_MUXED
  }

  get size(): number {
    return this.ops.size
  }

  attach(op: MuxedOperation): void {
    const id = String(this.nextId++)
    this.ops.set(id, op)
    this.idOf.set(op, id)
    if (this.protocol && this.send) op.subscribe(this.linkFor(id))
  }

  /** The operation has ended: forget it; the last one closes the connection. */
  detach(op: MuxedOperation): void {
    const id = this.idOf.get(op)
    if (id === undefined) return
    this.idOf.delete(op)
    this.ops.delete(id)
    if (this.ops.size === 0 && !this.over) {
      this.over = true
      this.onEmpty(this)
    }
  }

  ready(protocol: WsProtocol, send: (frame: string) => void): void {
    this.protocol = protocol
    this.send = send
    for (const [id, op] of this.ops) op.subscribe(this.linkFor(id))
  }

  deliver(r: Extract<Reaction, { kind: 'next' | 'error' | 'complete' }>, text: string, t: number): void {
    // The protocol checked the id is one subscribed and not stopped: its operation is here.
    this.ops.get(r.id)?.receive(r, text, t)
  }

  stopAll(): void {
    this.over = true
    for (const op of [...this.ops.values()]) op.stopForClose()
  }

  /** Told once with the close report, then again (null) as the connection's session lets go: no-op then. */
  ended(report: EndedReport | null, byPerson: boolean): void {
    this.over = true
    this.protocol = null
    this.send = null
    const ops = [...this.ops.values()]
    this.ops.clear()
    this.idOf.clear()
    for (const op of ops) op.connectionEnded(report, byPerson)
    this.onEnded(this)
  }

  private linkFor(id: string): MuxLink {
    const protocol = this.protocol as WsProtocol
    const send = this.send as (frame: string) => void
    return { protocol, id, send }
  }
}

/** The open shared connections of one engine, by what makes two connections the same. */
export class MuxPool {
  private readonly byKey = new Map<string, ConnectionMux>()

  /** The open mux for `key`, if any has room. */
  find(key: string): ConnectionMux | null {
    const mux = this.byKey.get(key)
    return mux && mux.open ? mux : null
  }

  add(mux: ConnectionMux): void {
    this.byKey.set(mux.key, mux)
  }

  forget(mux: ConnectionMux): void {
    if (this.byKey.get(mux.key) === mux) this.byKey.delete(mux.key)
  }
}

/**
 * What makes two operations' connections the same: the URL, the subprotocols offered, the headers as sent
 * (auth included, and whether Flightdeck's User-Agent goes), the connection params and the options that shape the socket.
 */
export function muxKey(parts: {
  url: string
  protocols: string[]
  headers: { name: string; value: string; enabled: boolean }[]
  connectionParams: Record<string, unknown> | undefined
  insecure: boolean
  caFile?: string | undefined
  maxMessageBytes: number
  /** Whether the upgrade leaves Flightdeck's User-Agent out (the request's `omitDefaultHeaders`). */
  omitUserAgent: boolean
}): string {
  const headers = parts.headers
    .filter((h) => h.enabled)
    .map((h) => [h.name.toLowerCase(), h.value])
    .sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : (a[0] ?? '') > (b[0] ?? '') ? 1 : 0))
  return JSON.stringify([
    parts.url,
    parts.protocols,
    headers,
    parts.connectionParams ?? null,
    parts.insecure,
    parts.caFile ?? null,
    parts.maxMessageBytes,
    parts.omitUserAgent,
  ])
}
