import type * as grpc from '@grpc/grpc-js'
import protobuf from 'protobufjs'
import type { AppError, ErrorCode } from '../../shared/result'
import { grpcStatusName, grpcStatusText, type GrpcStatusInfo } from '../../shared/grpc'

/**
 * A call's end in plain words: the status with its name (`UNAVAILABLE (14): …`), its `google.rpc.Status`
 * details (the `grpc-status-details-bin` trailer) decoded where their type is one of Google's standard error
 * details or is in the call's schema, and the error a non-OK status ends the session with.
 */

// google/rpc/status.proto and google/rpc/error_details.proto (the field numbers are the public API's).
const RPC = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            ErrorInfo: {
              fields: {
                reason: { type: 'string', id: 1 },
                domain: { type: 'string', id: 2 },
                metadata: { keyType: 'string', type: 'string', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'Duration', id: 1 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
            DebugInfo: {
              fields: {
                stack_entries: { rule: 'repeated', type: 'string', id: 1 },
                detail: { type: 'string', id: 2 },
              },
            },
            QuotaFailure: {
              fields: { violations: { rule: 'repeated', type: 'Violation', id: 1 } },
              nested: {
                Violation: {
                  fields: { subject: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } },
                },
              },
            },
            PreconditionFailure: {
              fields: { violations: { rule: 'repeated', type: 'Violation', id: 1 } },
              nested: {
                Violation: {
                  fields: {
                    type: { type: 'string', id: 1 },
                    subject: { type: 'string', id: 2 },
                    description: { type: 'string', id: 3 },
                  },
                },
              },
            },
            BadRequest: {
              fields: { field_violations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
              nested: {
                FieldViolation: {
                  fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } },
                },
              },
            },
            RequestInfo: {
              fields: { request_id: { type: 'string', id: 1 }, serving_data: { type: 'string', id: 2 } },
            },
            ResourceInfo: {
              fields: {
                resource_type: { type: 'string', id: 1 },
                resource_name: { type: 'string', id: 2 },
                owner: { type: 'string', id: 3 },
                description: { type: 'string', id: 4 },
              },
            },
            Help: {
              fields: { links: { rule: 'repeated', type: 'Link', id: 1 } },
              nested: {
                Link: { fields: { description: { type: 'string', id: 1 }, url: { type: 'string', id: 2 } } },
              },
            },
            LocalizedMessage: {
              fields: { locale: { type: 'string', id: 1 }, message: { type: 'string', id: 2 } },
            },
          },
        },
      },
    },
  },
}
const rpcRoot = protobuf.Root.fromJSON(RPC as protobuf.INamespace)
const StatusType = rpcRoot.lookupType('google.rpc.Status')
const OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, json: true }

/** The details of `grpc-status-details-bin`, each as `{ "@type": …, …fields }`; absent when there are none. */
export function statusDetails(
  trailers: grpc.Metadata | undefined,
  schema: protobuf.Root | null,
): unknown[] | undefined {
  const raw = trailers?.get('grpc-status-details-bin')[0]
  if (raw === undefined || typeof raw === 'string') return undefined
  let status: { details?: { type_url?: string; value?: Uint8Array }[] }
  try {
    status = StatusType.toObject(StatusType.decode(raw), { bytes: Array }) as typeof status
  } catch (e) {
    return [{ error: `grpc-status-details-bin could not be read: ${(e as Error).message}` }]
  }
  return (status.details ?? []).map((any) => {
    const url = any.type_url ?? ''
    const name = url.slice(url.lastIndexOf('/') + 1)
    const value = Uint8Array.from(any.value ?? [])
    const type = lookup(rpcRoot, name) ?? (schema ? lookup(schema, name) : null)
    if (!type) return { '@type': url, value: Buffer.from(value).toString('base64') }
    try {
      return { '@type': url, ...type.toObject(type.decode(value), OBJECT) }
    } catch {
      return { '@type': url, value: Buffer.from(value).toString('base64') }
    }
  })
}

function lookup(root: protobuf.Root, name: string): protobuf.Type | null {
  try {
    return name ? root.lookupType(name) : null
  } catch {
    return null
  }
}

const RESOLUTION_NOTE = 'Resolution note:'

/** grpc-js' status words without its empty trailing "Resolution note:" (it adds one when it has none). */
export function cleanDetails(text: string): string {
  // By the trimmed end, not a pattern: an unanchored \s* before the note was quadratic on a server's run of spaces.
  const tail = text.trimEnd()
  if (!tail.endsWith(RESOLUTION_NOTE)) return text
  const words = tail.slice(0, -RESOLUTION_NOTE.length).trimEnd()
  return words.endsWith('.') ? words.slice(0, -1) : words
}

export function statusInfo(
  s: { code: number; details: string },
  details: unknown[] | undefined,
): GrpcStatusInfo {
  return {
    code: s.code,
    name: grpcStatusName(s.code),
    // grpc-js says "OK" for OK; repeating the name says nothing.
    message: s.details === grpcStatusName(s.code) ? '' : cleanDetails(s.details),
    ...(details && details.length > 0 ? { details } : {}),
  }
}

/** The error a non-OK status ends a session with: `grpc_status`, the words, the details as JSON. */
export function statusError(status: GrpcStatusInfo): AppError {
  const code: ErrorCode = status.code === 4 ? 'timeout_total' : 'grpc_status'
  return {
    code,
    message: grpcStatusText(status.code, status.message),
    ...(status.details ? { detail: JSON.stringify(status.details) } : {}),
  }
}

/** Status words grpc-js makes up itself when it refuses what the server sent (RESOURCE_EXHAUSTED, 8). */
const OVER_LIMIT = /larger than max|decompresses to a size larger than/i
const CALM = /^Bandwidth exhausted or memory limit exceeded$/

/** The status was Flightdeck's (grpc-js') refusal of the server's answer, not the server's own status. */
export function refusedHere(s: { code: number; details: string }): boolean {
  return s.code === 8 && OVER_LIMIT.test(s.details)
}

/**
 * grpc-js' words for a status it made up, said with what was refused and how to change it: a connection that
 * never came up (a peer that does not speak HTTP/2, or not TLS), a message past the receive limit (also once
 * decompressed: a compression bomb is cut there), and an HTTP/2 stream reset with ENHANCE_YOUR_CALM, which is
 * what Node's HTTP/2 client does to headers or trailers past 128 entries.
 */
export function explainStatus(s: { code: number; details: string }, limit: number, where: string): string {
  if (s.code === 14 && /No connection established/.test(s.details)) {
    // grpc-js stamps the connection's last error with the time; the words say what it means instead.
    const last = cleanDetails(s.details).replace(/ \(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/, '')
    if (/Last error: Protocol error$/.test(last))
      return `${last}: ${where} did not answer in HTTP/2 (an HTTP/1.1 server, or no gRPC server at all?)`
    if (/wrong version number|packet length too long|unknown protocol/i.test(last))
      return `${last.replace(/ Last error: Error: .*$/s, '')} ${where} did not answer TLS (a plaintext server? then call it without TLS)`
    return last
  }
  if (refusedHere(s)) {
    return `${s.details}: a received message is past the ${sizeText(limit)} limit on a message (raise maxMessageBytes, or --max-msg-sz on the CLI)`
  }
  if (s.code === 8 && CALM.test(s.details)) {
    return `${s.details}: the stream was reset with ENHANCE_YOUR_CALM, either by the server or by Flightdeck because the server's metadata (headers or trailers) had more than 128 entries, the most Node's HTTP/2 client takes`
  }
  return s.details
}

export function sizeText(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`
  return `${n} B`
}
