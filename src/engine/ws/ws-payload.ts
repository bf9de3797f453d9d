import { readFile, stat } from 'node:fs/promises'
import type { RawData } from 'ws'
import { fail, ok, type Result } from '../../shared/result'
import { formatLimit } from './ws-errors'

/** Files sent as binary messages are read whole; past this they are refused. */
const MAX_FILE_BYTES = 128 * 1024 * 1024

/** The bytes of a message the person sends: text, JSON (checked), binary from hex or base64, or a file. */
export async function messagePayload(
  kind: 'text' | 'json' | 'binary',
  data: string | undefined,
  encoding: 'utf8' | 'hex' | 'base64' | undefined,
  path: string | undefined,
): Promise<Result<Buffer>> {
  if (kind === 'binary' && path !== undefined) {
    try {
      const info = await stat(path)
      if (!info.isFile()) return fail('file', `${path} is not a file`)
      if (info.size > MAX_FILE_BYTES)
        return fail('file', `${path} is larger than ${formatLimit(MAX_FILE_BYTES)}`)
      return ok(await readFile(path))
    } catch (e) {
      return fail('file', `Cannot read ${path}`, e instanceof Error ? e.message : String(e))
    }
  }
  const text = data ?? ''
  if (kind === 'json') {
    try {
      JSON.parse(text)
    } catch (e) {
      return fail('invalid_request', `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return kind === 'binary' ? decodeBinary(text, encoding ?? 'hex') : ok(Buffer.from(text, 'utf8'))
}

/** Hex (whitespace and `0x` allowed) or base64 text to bytes, refusing anything that is not. */
export function decodeBinary(text: string, encoding: 'utf8' | 'hex' | 'base64'): Result<Buffer> {
  if (encoding === 'utf8') return ok(Buffer.from(text, 'utf8'))
  if (encoding === 'hex') {
    const clean = text.replace(/0x/gi, '').replace(/[\s:,-]/g, '')
    if (!/^[0-9a-fA-F]*$/.test(clean)) return fail('invalid_request', 'Not hex: use the digits 0-9 and a-f')
    if (clean.length % 2 !== 0) return fail('invalid_request', 'Hex needs an even number of digits')
    return ok(Buffer.from(clean, 'hex'))
  }
  const clean = text.replace(/\s/g, '')
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    return fail('invalid_request', 'Not base64')
  }
  return ok(Buffer.from(clean, 'base64'))
}

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}
