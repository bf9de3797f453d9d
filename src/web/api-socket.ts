import type { WebSocket, RawData } from 'ws'
import type { HostEvent, WireMessage } from '../shared/contract'
import type { Result } from '../shared/result'
import type { WebSessionFrame } from '../shared/web-host-wire'
import type { DownloadableBody } from './body-download'

/**
 * One API connection: `call` frames go to the engine service and come back as `reply`; timeline batches go out
 * as `event`. The service validates payloads; this layer only validates the frame's shape.
 */

export interface ApiService {
  call(name: unknown, payload: unknown): Promise<Result<unknown>>
  /** Every event the engine pushes; the socket forwards each as an `event` frame. */
  onEvent(listener: (event: HostEvent) => void): () => void
  /** A finished response body to stream as a download (the browser host's "save to file"). */
  openBody?(bodyId: string): DownloadableBody | null
}

/**
 * A client that stops reading must not make the host buffer without bound. Past this much unsent data the
 * connection is dropped; the bridge reconnects and the UI keeps what it already has.
 */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

type ParsedCall =
  { ok: true; id: number; name: string; payload: unknown } | { ok: false; id: number | null; reason: string }

export function parseCallFrame(text: string): ParsedCall {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return { ok: false, id: null, reason: 'Frame is not JSON' }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, id: null, reason: 'Frame must be an object' }
  }
  const frame = data as Record<string, unknown>
  const id = Number.isSafeInteger(frame['id']) ? (frame['id'] as number) : null
  if (frame['kind'] !== 'call') return { ok: false, id, reason: 'Only call frames are accepted' }
  if (id === null) return { ok: false, id: null, reason: 'A call needs an integer id' }
  if (typeof frame['name'] !== 'string') return { ok: false, id, reason: 'A call needs a string name' }
  if (!('payload' in frame)) return { ok: false, id, reason: 'A call needs a payload' }
  return { ok: true, id, name: frame['name'], payload: frame['payload'] }
}

/** Calls the host answers itself, before the engine sees them (the browser host's download tickets). */
export type HostCalls = Record<string, (payload: unknown) => Result<unknown>>

export interface ApiSocketOptions {
  log: (line: string) => void
  hostCalls?: HostCalls
  /** Sent as the first frame: the token, for a page that connected with a launch code. */
  session?: WebSessionFrame
}

export function serveApiSocket(ws: WebSocket, service: ApiService, options: ApiSocketOptions): void {
  const { log, hostCalls = {} } = options
  if (options.session) ws.send(JSON.stringify(options.session))
  const send = (message: WireMessage): void => {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log('[flightdeck] API client is not reading; dropping its connection')
      ws.terminate()
      return
    }
    ws.send(JSON.stringify(message))
  }

  const offEvents = service.onEvent((event) => send({ kind: 'event', ...event }))
  ws.on('close', offEvents)

  ws.on('message', (raw: RawData, isBinary: boolean) => {
    if (isBinary) {
      ws.close(1003, 'Binary frames are not accepted')
      return
    }
    const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)
    const text = bytes.toString('utf8')
    const call = parseCallFrame(text)
    if (!call.ok) {
      if (call.id === null) {
        // Nothing to answer to: the peer is not speaking the protocol.
        ws.close(1008, call.reason)
        return
      }
      send({
        kind: 'reply',
        id: call.id,
        result: { ok: false, error: { code: 'bad_payload', message: call.reason } },
      })
      return
    }
    const hostCall = Object.prototype.hasOwnProperty.call(hostCalls, call.name)
      ? hostCalls[call.name]
      : undefined
    if (hostCall) {
      send({ kind: 'reply', id: call.id, result: hostCall(call.payload) })
      return
    }
    void service.call(call.name, call.payload).then(
      (result) => send({ kind: 'reply', id: call.id, result }),
      (e: unknown) =>
        send({
          kind: 'reply',
          id: call.id,
          result: {
            ok: false,
            error: {
              code: 'internal',
              message: 'Internal error',
              detail: e instanceof Error ? e.message : String(e),
            },
          },
        }),
    )
  })
  ws.on('error', (e) => log(`[flightdeck] API socket error: ${e.message}`))
}
