import { readFile, stat } from 'node:fs/promises'
import type { RequestBody } from '../shared/request'
import { sizeLimit } from './byte-words'

/** A field's most text: a text part's limit (shared/request.ts), as stdin's copy is bounded. */
const MAX_FIELD_BYTES = 64 * 1024 * 1024

/**
 * curl's `-F name=<path` (`<-`: stdin): a field whose value is the file's text, sent as `-F name=value` is, with no
 * filename and no Content-Type unless `;type=` gives one (its line ends then go as a typed field's: CRLF, as
 * undici's FormData writes a string entry and a browser sends a form; curl sends them as read). Until here it is a file part (its pipe read to a copy as
 * a file part's is); its bytes become the field's value, refused in words when they are not UTF-8 text (a field
 * carries text; the bytes would change) or too large. Answers the body, or the refusal.
 */
export async function withFieldFiles(
  body: RequestBody,
  indexes: readonly number[],
): Promise<RequestBody | string> {
  if (body.kind !== 'multipart') return body
  const parts = [...body.parts]
  for (const i of indexes) {
    const part = parts[i]
    if (part?.kind !== 'file') continue
    const typed = `-F ${part.name}=<`
    let bytes: Buffer
    try {
      const info = await stat(part.path)
      if (!info.isFile()) return `${typed}${part.path}: not a file (a folder or a device); nothing was sent`
      if (info.size > MAX_FIELD_BYTES)
        return `${typed}${part.path} is larger than a field may be (${sizeLimit(MAX_FIELD_BYTES)}); send it as a file part, -F ${part.name}=@file`
      bytes = await readFile(part.path)
    } catch (e) {
      return `${typed}${part.path} could not be read: ${(e as Error).message}; nothing was sent`
    }
    let value: string
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return `${typed}: what was read is not UTF-8 text, and a field carries text; send the bytes as a file part, -F ${part.name}=@file`
    }
    const type = part.contentType !== undefined ? { contentType: part.contentType } : {}
    parts[i] = { kind: 'text', name: part.name, value, enabled: part.enabled, ...type }
  }
  return { ...body, parts }
}
