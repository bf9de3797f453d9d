import { fail, ok, type Result } from '../../shared/result'
import type { SocketIoArg } from '../../shared/socketio'

/**
 * Socket.IO event arguments as Flightdeck stores and sends them: stored as one JSON array (binary parts as
 * `{"$binary": "<base64>"}`, so a log entry stays text and searchable), sent as the values they stand for.
 */

/** Arguments as JSON text for the log, with how many binary parts and bytes they hold. */
export function argsJson(args: readonly unknown[]): { text: string; binary: number; bytes: number } {
  // The common case (no bytes at the top level, where socket.io puts them) skips the replacer, which costs a
  // call per value of every event.
  if (!args.some((a) => typeof a === 'object' && a !== null && hasBytes(a, 0))) {
    const plain = JSON.stringify(args) ?? '[]'
    return { text: plain, binary: 0, bytes: plain.length }
  }
  let binary = 0
  let bytes = 0
  const text = JSON.stringify(args, (_key, value: unknown) => {
    const buf = asBytes(value)
    if (buf) {
      binary++
      bytes += buf.length
      return { $binary: buf.toString('base64') }
    }
    return value
  })
  // JSON.stringify leaves functions out; a server's ack callback shows as null.
  return { text: text ?? '[]', binary, bytes: bytes + Buffer.byteLength(text ?? '') }
}

/** Whether a value holds bytes anywhere within a few levels (deeper ones are found by the replacer too). */
function hasBytes(v: object, depth: number): boolean {
  if (Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return true
  if (depth >= 4) return true
  for (const x of Object.values(v))
    if (typeof x === 'object' && x !== null && hasBytes(x, depth + 1)) return true
  return false
}

function asBytes(v: unknown): Buffer | null {
  if (Buffer.isBuffer(v)) return v
  // A Buffer's toJSON runs before the replacer sees it: it arrives as { type: 'Buffer', data: [...] }.
  if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer') {
    const data = (v as { data?: unknown }).data
    if (Array.isArray(data)) return Buffer.from(data as number[])
  }
  if (v instanceof ArrayBuffer) return Buffer.from(v)
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  return null
}

/** The values an emit sends: JSON parsed, text as it is, binary decoded from hex or base64. */
export function encodeArgs(args: readonly SocketIoArg[]): Result<unknown[]> {
  const out: unknown[] = []
  for (const [i, a] of args.entries()) {
    if (a.kind === 'text') out.push(a.data)
    else if (a.kind === 'json') {
      try {
        out.push(JSON.parse(a.data) as unknown)
      } catch (e) {
        return fail(
          'invalid_request',
          `Argument ${i + 1} is not JSON: ${e instanceof Error ? e.message : String(e)}`,
        )
      }
    } else if (a.encoding === 'base64') out.push(Buffer.from(a.data, 'base64'))
    else {
      const hex = a.data.replace(/\s+/g, '')
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex))
        return fail('invalid_request', `Argument ${i + 1} is not hex (pairs of 0-9, a-f)`)
      out.push(Buffer.from(hex, 'hex'))
    }
  }
  return ok(out)
}

/**
 * Arguments given as one JSON text (the Emit box's), read after its `{{variables}}` resolved: an array is several
 * arguments, empty text none, any other value one. `unresolved`: the text held a `{{` that could not resolve
 * because the session has no scope, which the error says.
 */
export function argsFromJsonText(text: string, unresolved: boolean): Result<SocketIoArg[]> {
  if (text.trim() === '') return ok([])
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    const note = unresolved
      ? ' ({{variables}} go as typed: this session was opened without a collection or environment)'
      : ''
    return fail('invalid_request', `The arguments are not JSON: ${why}${note}`)
  }
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  return ok(list.map((a) => ({ kind: 'json' as const, data: JSON.stringify(a) })))
}
