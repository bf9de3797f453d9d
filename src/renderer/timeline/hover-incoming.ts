import { formatBytes, formatMs } from '../../shared/format'
import { formatWallTime } from '../details/wall-time'
import type { SessionRow } from './session-row'

/** One line of the hover card: what it is, and its value. */
export interface IncomingLine {
  label: string
  value: string
}

/**
 * What the hover card shows for a webhook row in place of the HTTP phases (DNS, connect, wait … are a request's
 * going out, and were all dashes for a call coming in): when it was received, how big its body was, who called,
 * and for a call the inbox cut or refused, how long it ran before that. The reason is `incomingNote`.
 * Null for any other row.
 */
export function incomingLines(row: SessionRow): IncomingLine[] | null {
  if (row.queued.kind !== 'webhook') return null
  const lines: IncomingLine[] = [{ label: 'Received', value: formatWallTime(row.queued.wall) }]
  const call = row.webhook
  const end = row.terminal
  if (call) {
    lines.push({ label: 'Body', value: formatBytes(call.body.size) })
    lines.push({ label: 'From', value: call.remoteAddress || 'an unknown address' })
  } else if (end?.type === 'error') {
    lines.push({ label: 'From', value: end.detail || 'an unknown address' })
    // A call to an unknown URL was refused as soon as its head came: it has no length worth a line.
    if (end.code !== 'not_found') lines.push({ label: 'Cut after', value: formatMs(end.t - row.queued.t) })
  }
  return lines
}

/** Why a webhook call was cut or refused, in the inbox's words; undefined for a whole call and any other row. */
export function incomingNote(row: SessionRow): string | undefined {
  return row.queued.kind === 'webhook' && row.terminal?.type === 'error' ? row.terminal.message : undefined
}
