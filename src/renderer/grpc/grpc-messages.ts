import type { AppError } from '../../shared/result'

/**
 * The message editor's text as the messages to send: one JSON object for a unary or server-streaming call; for
 * a client or bidi stream, a JSON array of them, or one per line. Bad JSON is said plainly, with its line.
 */
export function grpcMessages(
  text: string,
  many: boolean,
): { ok: true; value: string[] } | { ok: false; error: AppError } {
  const trimmed = text.trim()
  if (!many) return { ok: true, value: [trimmed === '' ? '{}' : trimmed] }
  if (trimmed === '') return { ok: true, value: [] }
  if (trimmed.startsWith('[')) {
    try {
      const list = JSON.parse(trimmed) as unknown
      if (Array.isArray(list)) return { ok: true, value: list.map((m) => JSON.stringify(m)) }
    } catch (e) {
      return {
        ok: false,
        error: { code: 'bad_payload', message: `The messages are not JSON: ${(e as Error).message}` },
      }
    }
  }
  // Several objects, one per line; a single (pretty-printed) object is one message.
  try {
    JSON.parse(trimmed)
    return { ok: true, value: [trimmed] }
  } catch {
    return { ok: true, value: trimmed.split('\n').filter((l) => l.trim() !== '') }
  }
}

/** `grpcurl` for the call, as a person would type it in a shell (single-quoted arguments). */
export function grpcurlCommand(o: {
  target: string
  plaintext: boolean
  insecure: boolean
  /** A CA bundle trusted in place of the system's (grpcurl's -cacert). */
  caFile?: string
  metadata: { name: string; value: string; enabled: boolean }[]
  protoFiles: string[]
  importPaths: string[]
  deadlineS: number | null
  method: string
  message: string
  /** Basic auth's `user:password` holding a `{{variable}}`: encoded by the shell where the command runs. */
  basic?: string
  /** A line said above the command: auth the call cannot send, or an OAuth 2.0 token, left out. */
  note?: string
}): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
  const parts = ['grpcurl']
  if (o.plaintext) parts.push('-plaintext')
  else if (o.insecure) parts.push('-insecure')
  else if (o.caFile) parts.push('-cacert', q(o.caFile))
  for (const p of o.importPaths) parts.push('-import-path', q(p))
  for (const f of o.protoFiles) parts.push('-proto', q(f))
  for (const m of o.metadata)
    if (m.enabled && m.name.trim() !== '') parts.push('-H', q(`${m.name}: ${m.value}`))
  // Double quotes around the substitution only: the credentials inside it are single-quoted as every word is.
  if (o.basic !== undefined)
    parts.push('-H', `"authorization: Basic $(printf '%s' ${q(o.basic)} | base64 | tr -d '\\n')"`)
  if (o.deadlineS !== null) parts.push('-max-time', String(o.deadlineS))
  if (o.message.trim() !== '') parts.push('-d', q(o.message.trim()))
  parts.push(q(o.target.replace(/^grpcs?:\/\//, '')), q(o.method))
  return `${o.note ? `${o.note}\n` : ''}${parts.join(' ')}`
}
