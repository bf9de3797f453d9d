import { MAX_BODY_READ } from '../../shared/constants'
import { formatBytes } from '../../shared/format'
import type { Result } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import { base64ToBytes } from './message-format'

/**
 * Reading one message of a stream's log from the engine, by range: the message view shows a window of it
 * (`MESSAGE_VIEW_BYTES` at a time, and says which), and "Save" reads it whole, a range at a time. Pure but for
 * the client calls.
 */

/** Most ranges one save reads: a message is at most a few GB, read `MAX_BODY_READ` at a time. */
const MAX_RANGES = 1024

/** Every byte of message `seq`, as the pieces it was read in (a Blob joins them without copying them again). */
export async function readWholeMessage(
  client: ApiClient,
  sid: string,
  seq: number,
): Promise<Result<Uint8Array[]>> {
  const parts: Uint8Array[] = []
  let offset = 0
  for (let k = 0; k < MAX_RANGES; k++) {
    const res = await client.invoke('stream.data', {
      sid,
      seq,
      offset,
      length: MAX_BODY_READ,
      encoding: 'base64',
    })
    if (!res.ok) return res
    if (res.value.length > 0) parts.push(base64ToBytes(res.value.data))
    offset += res.value.length
    if (res.value.length === 0 || offset >= res.value.total) return { ok: true, value: parts }
  }
  return {
    ok: false,
    error: {
      code: 'message_too_large',
      message: `The message is larger than ${MAX_RANGES} reads of ${MAX_BODY_READ} bytes; saved nothing`,
    },
  }
}

/**
 * The text of a window of a UTF-8 message that may start or end inside a character: the parts of characters
 * at its edges (at most 3 bytes each side) are left out rather than shown as U+FFFD.
 */
export function windowText(bytes: Uint8Array, cutAtStart: boolean, cutAtEnd: boolean): string {
  let from = 0
  if (cutAtStart) while (from < 3 && from < bytes.length && ((bytes[from] as number) & 0xc0) === 0x80) from++
  let to = bytes.length
  if (cutAtEnd) {
    for (let back = 1; back <= Math.min(3, to - from); back++) {
      const b = bytes[to - back] as number
      if ((b & 0xc0) === 0x80) continue
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
      if (need > back) to -= back
      break
    }
  }
  return new TextDecoder().decode(bytes.subarray(from, to))
}

/** Which part of a message a window shows: "Showing the first 512 KB of 5.0 MB", or a byte range of it. */
export function windowLabel(offset: number, length: number, total: number): string {
  if (offset === 0) return `Showing the first ${formatBytes(length)} of ${formatBytes(total)}`
  return `Showing ${formatBytes(offset)} to ${formatBytes(offset + length)} of ${formatBytes(total)}`
}

/**
 * Hand the bytes to the browser as a download named `name` (the desktop app asks where to save it); returns
 * the bytes saved. A Blob joins the pieces without one more copy into a single string or buffer.
 */
export function downloadParts(parts: readonly Uint8Array[], name: string, binary: boolean): number {
  // The pieces were made here, each over an ArrayBuffer of its own (never a SharedArrayBuffer).
  const blob = new Blob(
    parts.map((p) => p as Uint8Array<ArrayBuffer>),
    {
      type: binary ? 'application/octet-stream' : 'text/plain;charset=utf-8',
    },
  )
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  // The download holds the Blob itself by now: the URL is not needed past this task.
  setTimeout(() => URL.revokeObjectURL(url), 0)
  return blob.size
}
