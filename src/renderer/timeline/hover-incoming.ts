import { formatBytes, formatMs } from '../../shared/format'
import { formatWallTime } from '../details/wall-time'
import type { SessionRow } from './session-row'

/** One line of the hover card: what it is, and its value. */
export interface IncomingLine {
  label: string
  value: string
}

/** The card shows a path up to this many characters; a longer one keeps its start and its end (`…/done`). */
const PATH_SHOWN = 160

/**
 * The hover card's title for a webhook row: `webhook POST` over the path that was called, which is what tells
 * one call from another (the inbox's origin is the same for all and is left out). The path wraps rather than
 * being cut at the card's edge; past PATH_SHOWN its middle gives way. Null for any other row.
 */
export function incomingTitle(row: SessionRow): { head: string; path: string } | null {
  if (row.queued.kind !== 'webhook') return null
  const { method, url } = row.queued
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
  return { head: `webhook${method ? ` ${method}` : ''}`, path: middleCut(path, PATH_SHOWN) }
}

/**
 * What the hover card shows for a webhook row in place of the HTTP phases (DNS, connect, wait … are a request's
 * going out, and were all dashes for a call coming in): when it was received, how big its body was, who called,
 * and for a call the inbox cut, how long it ran before that. The reason is `incomingNote`.
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
    const ms = cutAfterMs(row)
    if (ms !== null) lines.push({ label: 'Cut after', value: formatMs(ms) })
  }
  return lines
}

/**
 * How long a call the inbox cut ran before that (a body trickling for 30 s, a hang-up after 2 s): the one length
 * a call coming in has that means something, shown in the card and the Time column. Null for a whole call (its
 * time is when it came, not how long) and for a call to an unknown URL, refused as soon as it was read.
 */
export function cutAfterMs(row: SessionRow): number | null {
  const end = row.terminal
  if (row.queued.kind !== 'webhook' || end?.type !== 'error' || end.code === 'not_found') return null
  return end.t - row.queued.t
}

/** Why a webhook call was cut or refused, in the inbox's words; undefined for a whole call and any other row. */
export function incomingNote(row: SessionRow): string | undefined {
  return row.queued.kind === 'webhook' && row.terminal?.type === 'error' ? row.terminal.message : undefined
}

function middleCut(text: string, max: number): string {
  if (text.length <= max) return text
  const tail = Math.floor(max / 3)
  return `${text.slice(0, max - tail - 1)}…${text.slice(text.length - tail)}`
}
