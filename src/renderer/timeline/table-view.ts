import type { TimelineState } from './apply-batch'
import { groupDigits } from '../../shared/group-digits'
import { compareRows, type SortSpec } from './columns'
import { methodText } from './row-labels'
import { hostOf, isInFlight, type SessionRow } from './session-row'
import { matchesTrace, rowTraceId, traceQuery } from './trace-row'

/**
 * What the table and the waterfall list, in order: the timeline's rows filtered, sorted and optionally grouped.
 * Rows are listed by sid (a string); group headers are objects. With no filter, sort or grouping the list is
 * the timeline's own `order` array, so a burst of 10,000 rows costs nothing here.
 */

export type StatusClassFilter = 'all' | '2xx' | '3xx' | '4xx' | '5xx'
export type ProtocolFilter = 'all' | 'http/1.1' | 'h2'
export type GroupBy = 'none' | 'batch' | 'origin'

export interface TimelineFilters {
  text: string
  /** 'all' or one method as the Method column shows it ('WS' for WebSocket sessions). */
  method: string
  status: StatusClassFilter
  protocol: ProtocolFilter
  /** Failed requests, cancelled ones and HTTP 4xx/5xx. */
  errorsOnly: boolean
  inFlightOnly: boolean
}

export const NO_FILTERS: TimelineFilters = {
  text: '',
  method: 'all',
  status: 'all',
  protocol: 'all',
  errorsOnly: false,
  inFlightOnly: false,
}

export interface GroupItem {
  readonly kind: 'group'
  readonly key: string
  readonly label: string
  readonly count: number
  readonly inFlight: number
  readonly failed: number
  /** Engine ms: the earliest queued t and the latest event t of its rows. */
  readonly start: number
  readonly end: number
  readonly collapsed: boolean
}

export type ViewItem = string | GroupItem

export interface TableView {
  items: readonly ViewItem[]
  /** Rows that pass the filters (group headers not counted). */
  rowCount: number
  /**
   * The timeline's `orderVersion` the view was built from. An unfiltered view's items are the timeline's order
   * itself, which the store appends to in place: their identity does not tell a reader that rows were listed.
   */
  orderVersion: number
}

export function filtersActive(f: TimelineFilters): boolean {
  return (
    f.text.trim() !== '' ||
    f.method !== 'all' ||
    f.status !== 'all' ||
    f.protocol !== 'all' ||
    f.errorsOnly ||
    f.inFlightOnly
  )
}

export function isErrorRow(row: SessionRow): boolean {
  return row.state === 'error' || row.state === 'cancelled' || (row.status !== null && row.status >= 400)
}

/** A predicate for the filters, with the text lower-cased once. */
export function rowFilter(f: TimelineFilters): (row: SessionRow) => boolean {
  const text = f.text.trim().toLowerCase()
  const statusFloor = f.status === 'all' ? 0 : Number(f.status[0]) * 100
  const trace = traceQuery(text)
  return (row) => {
    if (f.inFlightOnly && !isInFlight(row)) return false
    if (f.errorsOnly && !isErrorRow(row)) return false
    if (f.method !== 'all' && methodText(row) !== f.method) return false
    if (f.protocol !== 'all' && row.sent?.protocol !== f.protocol) return false
    if (
      statusFloor > 0 &&
      (row.status === null || row.status < statusFloor || row.status >= statusFloor + 100)
    )
      return false
    if (trace !== null) return matchesTrace(row, trace)
    if (text !== '') {
      const hay =
        `${methodText(row)} ${row.queued.url} ${row.status ?? ''} ${row.queued.name ?? ''} ${rowTraceId(row) ?? ''}`.toLowerCase()
      if (!hay.includes(text)) return false
    }
    return true
  }
}

export function groupKey(row: SessionRow, by: GroupBy): string {
  if (by === 'origin') {
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(row.queued.url)
    return m?.[1]?.toLowerCase() ?? row.queued.url
  }
  // Redirect hops of a batch copy carry no batch ref of their own; they stay with single requests.
  const b = row.queued.batch
  return b ? `batch:${b.id}` : `single`
}

function groupLabel(
  key: string,
  first: SessionRow,
  by: GroupBy,
  count: number,
  names: ReadonlyMap<string, string> | undefined,
): string {
  if (by === 'origin') return key
  if (key === 'single') return `Single requests (${groupDigits(count)})`
  const id = first.queued.batch?.id ?? ''
  if (id.startsWith('har:')) return `Imported ${names?.get(id) ?? 'HAR'} (${groupDigits(count)})`
  const b = first.queued.batch
  return `Send ×${groupDigits(b?.size ?? count)}: ${first.queued.method} ${hostOf(first.queued.url)}${pathOf(first.queued.url)}`
}

function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)
  return m?.[1] ?? ''
}

export interface ViewOptions {
  filters: TimelineFilters
  sort: SortSpec | null
  groupBy: GroupBy
  collapsed: ReadonlySet<string>
  /** Names of imported HARs by batch id. */
  batchNames?: ReadonlyMap<string, string>
}

export function buildTableView(timeline: TimelineState, o: ViewOptions): TableView {
  const { rows, order } = timeline
  let sids: readonly string[] = order
  if (filtersActive(o.filters)) {
    const keep = rowFilter(o.filters)
    sids = order.filter((sid) => {
      const row = rows[sid]
      return row !== undefined && keep(row)
    })
  }
  if (o.sort) {
    const sort = o.sort
    const list = sids.filter((sid) => rows[sid] !== undefined)
    list.sort((a, b) => compareRows(rows[a] as SessionRow, rows[b] as SessionRow, sort))
    sids = list
  }
  const { orderVersion } = timeline
  if (o.groupBy === 'none') return { items: sids, rowCount: sids.length, orderVersion }

  // Groups are listed in the order of their first row; rows keep their (sorted) order inside a group.
  const groups = new Map<string, string[]>()
  for (const sid of sids) {
    const row = rows[sid]
    if (!row) continue
    const key = groupKey(row, o.groupBy)
    let list = groups.get(key)
    if (!list) groups.set(key, (list = []))
    list.push(sid)
  }
  const items: ViewItem[] = []
  for (const [key, list] of groups) {
    let inFlight = 0
    let failed = 0
    let start = Infinity
    let end = -Infinity
    for (const sid of list) {
      const row = rows[sid] as SessionRow
      if (isInFlight(row)) inFlight++
      if (isErrorRow(row)) failed++
      start = Math.min(start, row.queued.t)
      end = Math.max(end, row.lastT)
    }
    const first = rows[list[0] ?? ''] as SessionRow
    const collapsed = o.collapsed.has(key)
    items.push({
      kind: 'group',
      key,
      label: groupLabel(key, first, o.groupBy, list.length, o.batchNames),
      count: list.length,
      inFlight,
      failed,
      start,
      end,
      collapsed,
    })
    if (!collapsed) for (const sid of list) items.push(sid)
  }
  return { items, rowCount: sids.length, orderVersion }
}

/** The sids of an item list, in order (group headers skipped): what arrow keys move through. */
export function rowSids(items: readonly ViewItem[]): string[] {
  const out: string[] = []
  for (const it of items) if (typeof it === 'string') out.push(it)
  return out
}

/** Arrow keys: the sid `delta` rows from `current` in the listed order, clamped; the first or last if none. */
export function stepSelection(
  items: readonly ViewItem[],
  current: string | null,
  delta: number,
): string | null {
  const sids = rowSids(items)
  if (sids.length === 0) return null
  const at = current === null ? -1 : sids.indexOf(current)
  if (at === -1) return (delta >= 0 ? sids[0] : sids[sids.length - 1]) ?? null
  return sids[Math.min(sids.length - 1, Math.max(0, at + delta))] ?? null
}

/** Rows that came from an imported HAR: read-only recordings. */
export function isImported(row: SessionRow): boolean {
  return row.queued.batch?.id.startsWith('har:') ?? false
}
