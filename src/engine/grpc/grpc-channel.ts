import { readCaPemBytes, readPemBytes } from '../files/pem-file'
import * as grpc from '@grpc/grpc-js'
import { DEFAULT_GRPC_MAX_MESSAGE_BYTES, type GrpcTls } from '../../shared/grpc'
import type { KeyValue } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import { takeConnectionId } from '../http/connector'
import { checkUrlScheme } from '../sessions/url-schemes'
import { VERSION } from '../version'

/**
 * Channels to gRPC servers: the target parsed, TLS credentials from the same options HTTP has (system CAs, a CA
 * file, no verification, a client certificate), and a small pool so calls to one server share one channel
 * (one HTTP/2 connection), as a generated client does. A channel in the pool is closed when the pool is full
 * and it is the least recently used, or when the engine is disposed.
 */

export interface GrpcTarget {
  /** `host:port` as grpc-js is given it. */
  address: string
  host: string
  port: number
  plaintext: boolean
}

/** The target schemes grpc-js resolves itself (its dns, ipv4, ipv6 and unix resolvers; unix-abstract in later versions). */
const GRPC_JS_SCHEMES = new Set(['dns', 'ipv4', 'ipv6', 'unix', 'unix-abstract'])

/** `host:port`, `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS); the port defaults to 443. */
export function parseGrpcTarget(text: string, plaintext: boolean): Result<GrpcTarget> {
  const foreign = checkUrlScheme('grpc', text)
  if (!foreign.ok) return foreign
  let s = text.trim()
  let plain = plaintext
  const scheme = /^(grpcs?|https?):\/\//i.exec(s)
  if (scheme) {
    const name = (scheme[1] as string).toLowerCase()
    plain = name === 'grpc' || name === 'http' ? true : plaintext
    s = s.slice(scheme[0].length).replace(/\/+$/, '')
  }
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(s)
  if (!m) {
    return fail(
      'invalid_url',
      `"${text.slice(0, 200)}" is not a gRPC target; write it as host:port (e.g. localhost:50051)`,
    )
  }
  const host = m[1] as string
  const port = m[2] === undefined ? 443 : Number(m[2])
  if (port < 1 || port > 65535) return fail('invalid_url', `Port ${port} is out of range (1–65535)`)
  // grpc-js reads `name:rest` as a URI of its own when it has a resolver for `name`: `unix:50051` is the Unix
  // socket ./50051, not a host named unix.
  if (GRPC_JS_SCHEMES.has(host.toLowerCase()))
    return fail(
      'invalid_url',
      `"${text.slice(0, 200)}" would be read as a ${host.toLowerCase()}: address by gRPC's library, which Flightdeck does not connect to; write the target as host:port (e.g. localhost:50051)`,
    )
  return ok({ address: `${host}:${port}`, host: host.replace(/^\[|\]$/g, ''), port, plaintext: plain })
}

async function readPem(
  path: string | undefined,
  what: string,
  read: (path: string) => Promise<Buffer> = readPemBytes,
): Promise<Result<Buffer | null>> {
  if (!path) return ok(null)
  try {
    return ok(await read(path))
  } catch (e) {
    return fail('file', `Cannot read the ${what} ${path}`, (e as Error).message)
  }
}

export async function channelCredentials(
  target: GrpcTarget,
  tls: GrpcTls,
): Promise<Result<grpc.ChannelCredentials>> {
  if (target.plaintext) return ok(grpc.credentials.createInsecure())
  const ca = await readPem(tls.caFile, 'CA file', readCaPemBytes)
  if (!ca.ok) return ca
  const cert = await readPem(tls.certFile, 'client certificate')
  if (!cert.ok) return cert
  const key = await readPem(tls.keyFile, 'client key')
  if (!key.ok) return key
  if (Boolean(cert.value) !== Boolean(key.value)) {
    return fail('invalid_request', 'A client certificate needs its key, and a key its certificate')
  }
  try {
    return ok(
      grpc.credentials.createSsl(ca.value, key.value, cert.value, {
        ...(tls.insecure ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {}),
      }),
    )
  } catch (e) {
    return fail('tls', 'The TLS options could not be used', (e as Error).message)
  }
}

/** Bytes the server may send ahead of what the engine has read, per connection and per stream. */
const FLOW_CONTROL_WINDOW = 1024 * 1024

export function channelOptions(
  maxMessageBytes: number | undefined,
  userAgent?: string | undefined,
): grpc.ChannelOptions {
  const max = maxMessageBytes ?? DEFAULT_GRPC_MAX_MESSAGE_BYTES
  return {
    'grpc.max_receive_message_length': max,
    'grpc.max_send_message_length': max,
    // grpc-js writes its own user-agent over the metadata's, after this: `<primary> grpc-node-js/<version>`.
    'grpc.primary_user_agent': userAgent || `flightdeck/${VERSION}`,
    // HTTP/2's 64 KB default window stalls a fast stream each time the engine pauses to log a burst (the server
    // waits a round trip for WINDOW_UPDATE); 1 MB keeps it flowing, as the BDP-sized windows of grpc-go and C do.
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
  }
}

/**
 * The user-agent a call's metadata names (its last enabled row), or undefined. grpc-js replaces a `user-agent`
 * entry with its channel's, so the name is sent as the channel's primary user agent instead.
 */
export function userAgentOf(rows: KeyValue[]): string | undefined {
  const row = rows.findLast((r) => r.enabled && r.name.trim().toLowerCase() === 'user-agent')
  return row?.value.trim() || undefined
}

/** Metadata from a key-value table: enabled rows, `-bin` keys given as base64. */
export function metadataOf(rows: KeyValue[]): Result<grpc.Metadata> {
  const md = new grpc.Metadata()
  for (const row of rows) {
    if (!row.enabled || row.name.trim() === '') continue
    const key = row.name.trim().toLowerCase()
    if (!/^[0-9a-z_.-]+$/.test(key)) {
      return fail('invalid_request', `Metadata key "${row.name.slice(0, 100)}" may only hold 0-9 a-z _ . -`)
    }
    if (key.startsWith('grpc-'))
      return fail('invalid_request', `Metadata key "${key}" is reserved for gRPC itself`)
    try {
      if (key.endsWith('-bin')) md.add(key, Buffer.from(row.value, 'base64'))
      else md.add(key, row.value)
    } catch (e) {
      return fail('invalid_request', `Metadata "${key}" cannot be sent: ${(e as Error).message}`)
    }
  }
  return ok(md)
}

/** Metadata as a list of pairs, `-bin` values as base64. */
export function metadataPairs(md: grpc.Metadata): [string, string][] {
  const out: [string, string][] = []
  for (const [key, values] of Object.entries(md.getMap())) {
    void values
    for (const v of md.get(key))
      out.push([key, typeof v === 'string' ? v : Buffer.from(v).toString('base64')])
  }
  return out
}

/** Channels open at once in a pool; the least recently used is closed past it. */
const MAX_CHANNELS = 16

export class ChannelPool {
  private readonly clients = new Map<string, grpc.Client>()
  /** Each channel's connection number (the timeline's Connection column), as HTTP's connections have. */
  private readonly ids = new WeakMap<grpc.Client, number>()
  /**
   * Every call under way on the pool's channels: closing a channel lets its calls go on, so `close` cancels them
   * (a reflection the server never answers would otherwise hold the process until its deadline).
   */
  private readonly calls = new Set<grpc.InterceptingCall>()
  private readonly track: grpc.Interceptor = (options, nextCall) => {
    const call: grpc.InterceptingCall = new grpc.InterceptingCall(nextCall(options), {
      start: (metadata, _listener, next) => {
        this.calls.add(call)
        next(metadata, {
          onReceiveStatus: (status, nextStatus) => {
            this.calls.delete(call)
            nextStatus(status)
          },
        })
      },
    })
    return call
  }

  /** A client on a (possibly shared) channel, and whether the channel was already open (READY). */
  async client(
    target: GrpcTarget,
    tls: GrpcTls,
    maxMessageBytes: number | undefined,
    userAgent?: string | undefined,
  ): Promise<Result<{ client: grpc.Client; reused: boolean; connectionId: number }>> {
    const key = JSON.stringify([target.address, target.plaintext, tls, maxMessageBytes ?? 0, userAgent ?? ''])
    const existing = this.clients.get(key)
    if (existing) {
      this.clients.delete(key)
      this.clients.set(key, existing)
      const state = existing.getChannel().getConnectivityState(false)
      if (state !== grpc.connectivityState.SHUTDOWN) {
        return ok({
          client: existing,
          reused: state === grpc.connectivityState.READY,
          connectionId: this.ids.get(existing) ?? 0,
        })
      }
    }
    const creds = await channelCredentials(target, tls)
    if (!creds.ok) return creds
    const client = new grpc.Client(target.address, creds.value, {
      ...channelOptions(maxMessageBytes, userAgent),
      interceptors: [this.track],
    })
    const connectionId = takeConnectionId()
    this.ids.set(client, connectionId)
    this.clients.set(key, client)
    while (this.clients.size > MAX_CHANNELS) {
      const [oldKey, old] = this.clients.entries().next().value as [string, grpc.Client]
      this.clients.delete(oldKey)
      old.close()
    }
    return ok({ client, reused: false, connectionId })
  }

  close(): void {
    for (const call of this.calls)
      call.cancelWithStatus(grpc.status.CANCELLED, 'Flightdeck closed the channel')
    this.calls.clear()
    for (const c of this.clients.values()) c.close()
    this.clients.clear()
  }
}
