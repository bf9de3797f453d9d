import { closeCodeText } from '../../shared/streams'
import type { StreamEntry } from '../../shared/streams'

/** How a log entry reads in the message list and the message view. Pure. */

/** A hex dump: offset, 16 bytes in hex, and their printable ASCII, one line per 16 bytes. */
export function hexDump(bytes: Uint8Array, startOffset = 0, maxBytes = 4096): string {
  const lines: string[] = []
  const n = Math.min(bytes.length, maxBytes)
  for (let i = 0; i < n; i += 16) {
    const row = bytes.subarray(i, Math.min(i + 16, n))
    let hex = ''
    let ascii = ''
    for (let j = 0; j < 16; j++) {
      const b = row[j]
      hex += b === undefined ? '   ' : `${b.toString(16).padStart(2, '0')} `
      if (j === 7) hex += ' '
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'
    }
    lines.push(`${(startOffset + i).toString(16).padStart(8, '0')}  ${hex} ${ascii}`)
  }
  return lines.join('\n')
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Pretty JSON when the text is JSON (objects and arrays only), else null. */
export function prettyJson(text: string): string | null {
  const t = text.trimStart()
  if (!t.startsWith('{') && !t.startsWith('[')) return null
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return null
  }
}

/** The one-line label of an entry's type: the SSE event name, `text`, `binary`, `close 1000`, ... */
export function entryType(e: StreamEntry): string {
  if (e.kind === 'event') return e.event ?? 'message'
  // MQTT and Socket.IO messages are named by their topic or event (control packets by theirs: PUBACK, ack).
  if ((e.kind === 'text' || e.kind === 'binary' || e.kind === 'control') && e.event !== undefined)
    return e.event
  if (e.kind === 'close' && e.code !== undefined) return `close ${e.code}`
  return e.kind
}

/** One line of the data for the list: binary as hex, close frames in plain words, newlines shown as ⏎. */
export function entryPreview(e: StreamEntry, maxChars = 300): string {
  if (e.kind === 'close') {
    const words = e.code !== undefined ? closeCodeText(e.code) : 'no status code'
    return e.data ? `${words}: ${e.data}` : words
  }
  if (e.encoding === 'base64') {
    const bytes = base64ToBytes(e.data.slice(0, Math.ceil(maxChars / 3) * 4))
    let hex = ''
    for (let i = 0; i < bytes.length && hex.length < maxChars; i++)
      hex += `${(bytes[i] ?? 0).toString(16).padStart(2, '0')} `
    return hex.trimEnd() + (e.size > bytes.length ? ' …' : '')
  }
  const text = e.data.length > maxChars ? `${e.data.slice(0, maxChars)}…` : e.data
  return text.replace(/\r?\n/g, ' ⏎ ')
}
