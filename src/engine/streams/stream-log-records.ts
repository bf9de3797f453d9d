/**
 * How a stream log stores a message (a record: its event name, id and data in one run of bytes) and writes
 * strings into it without a Buffer of their own.
 */

// A record is: u16 event length, event bytes, u16 id length, id bytes, then the data. 0xffff marks "absent", so
// an empty event name or id survives the round trip; names and ids are cut at 65,534 bytes.
export function recordLength(event: Buffer | null, id: Buffer | null, data: Buffer): number {
  return (
    4 + (event ? Math.min(event.length, 0xfffe) : 0) + (id ? Math.min(id.length, 0xfffe) : 0) + data.length
  )
}

export function encodeInto(
  out: Buffer,
  at: number,
  event: Buffer | null,
  id: Buffer | null,
  data: Buffer,
): void {
  const ev = event ? Math.min(event.length, 0xfffe) : 0
  const idn = id ? Math.min(id.length, 0xfffe) : 0
  out.writeUInt16LE(event ? ev : 0xffff, at)
  if (event) event.copy(out, at + 2, 0, ev)
  out.writeUInt16LE(id ? idn : 0xffff, at + 2 + ev)
  if (id) id.copy(out, at + 4 + ev, 0, idn)
  data.copy(out, at + 4 + ev + idn)
}

export interface Decoded {
  event?: string
  id?: string
  data: Buffer
}

export function decodeRecord(buf: Buffer): Decoded {
  const evLen = buf.readUInt16LE(0)
  const ev = evLen === 0xffff ? 0 : evLen
  const idLen = buf.readUInt16LE(2 + ev)
  const idn = idLen === 0xffff ? 0 : idLen
  const out: Decoded = { data: buf.subarray(4 + ev + idn) }
  if (evLen !== 0xffff) out.event = buf.toString('utf8', 2, 2 + ev)
  if (idLen !== 0xffff) out.id = buf.toString('utf8', 4 + ev, 4 + ev + idn)
  return out
}

/**
 * UTF-8 length of a string. Short ASCII strings (most SSE fields) are measured and written in JS: a call into
 * Buffer's native code costs more than the loop for them, and this runs several times per event.
 */
const NATIVE_FROM = 256

export function utf8Length(s: string): number {
  const n = s.length
  if (n > NATIVE_FROM) return Buffer.byteLength(s)
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s)
  return n
}

/** Write `s` (whose UTF-8 length is `bytes`) at `at`. */
export function putString(out: Buffer, at: number, s: string, bytes: number): void {
  if (bytes === s.length && bytes <= NATIVE_FROM) {
    for (let i = 0; i < bytes; i++) out[at + i] = s.charCodeAt(i)
    return
  }
  out.write(s, at, bytes, 'utf8')
}

export const NON_LATIN1 = /[\u0100-\uffff]/

/** Cut a cut-off UTF-8 prefix back to a character boundary (only when it was cut). */
export function utf8Boundary(buf: Buffer, wasCut: boolean): number {
  if (!wasCut) return buf.length
  const n = buf.length
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = buf[n - back] ?? 0
    if ((byte & 0xc0) === 0x80) continue
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return need > back ? n - back : n
  }
  return n
}

/**
 * A named record's head (name and id, each after its 2-byte length), made once while they repeat: one copy a
 * message for it, not two (a typed array's set costs more to call than a few dozen bytes take to copy), and one
 * object while they repeat (a group of held packets shares it).
 */
export class RecordHeads {
  private lastName = ''
  private lastNameBytes = Buffer.alloc(0)
  private lastId = ''
  private lastIdBytes = Buffer.alloc(0)
  private lastHead = Buffer.from([0, 0, 0, 0])

  of(event: string, id: string): Buffer {
    if (event === this.lastName && id === this.lastId) return this.lastHead
    const ev = event === this.lastName ? this.lastNameBytes : Buffer.from(event).subarray(0, 0xfffe)
    const idb = id === this.lastId ? this.lastIdBytes : Buffer.from(id).subarray(0, 0xfffe)
    this.lastName = event
    this.lastNameBytes = ev
    this.lastId = id
    this.lastIdBytes = idb
    const head = Buffer.allocUnsafe(4 + ev.length + idb.length)
    head.writeUInt16LE(ev.length, 0)
    head.set(ev, 2)
    head.writeUInt16LE(idb.length, 2 + ev.length)
    head.set(idb, 4 + ev.length)
    this.lastHead = head
    return head
  }
}
