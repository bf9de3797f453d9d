import { formatWallTime } from '../details/wall-time'
import { durationMs, wireBytes, type SessionRow } from './session-row'
import { methodText } from './row-labels'

/**
 * The table beside the waterfall: which columns exist, their default widths, how each sorts, and how the
 * visible ones share the panel's width with the waterfall. Pure, so widths and sorting are tested directly.
 */
export type ColumnId =
  'status' | 'method' | 'name' | 'protocol' | 'remote' | 'connection' | 'size' | 'time' | 'started'

export interface ColumnDef {
  id: ColumnId
  label: string
  /** Default width in px. */
  width: number
  min: number
  /** Right-aligned numbers. */
  numeric: boolean
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: 'status', label: 'Status', width: 72, min: 44, numeric: false },
  { id: 'method', label: 'Method', width: 58, min: 44, numeric: false },
  { id: 'name', label: 'Name', width: 220, min: 80, numeric: false },
  { id: 'protocol', label: 'Protocol', width: 64, min: 48, numeric: false },
  { id: 'remote', label: 'Remote address', width: 128, min: 64, numeric: false },
  { id: 'connection', label: 'Connection', width: 78, min: 52, numeric: false },
  { id: 'size', label: 'Size', width: 64, min: 44, numeric: true },
  { id: 'time', label: 'Time', width: 64, min: 44, numeric: true },
  { id: 'started', label: 'Started', width: 92, min: 60, numeric: true },
]

export const COLUMN_BY_ID: Readonly<Record<ColumnId, ColumnDef>> = Object.fromEntries(
  COLUMNS.map((c) => [c.id, c]),
) as Record<ColumnId, ColumnDef>

/**
 * What a fresh window shows: status, name and time, so the waterfall gets the room; method, size and the rest
 * are a click away in "Columns" (the name cell's tooltip has the full URL).
 */
export const DEFAULT_VISIBLE: readonly ColumnId[] = ['status', 'name', 'time']

export const MAX_COLUMN_WIDTH = 900
/** The waterfall never gets narrower than this while the name column can still give way. */
export const MIN_WATERFALL_WIDTH = 160
/** What the name column gives way to: at least MIN_WATERFALL_WIDTH, and about a third of the panel. */
export function minWaterfallWidth(panelWidth: number): number {
  return Math.max(MIN_WATERFALL_WIDTH, Math.round(panelWidth * 0.35))
}

/** The per-row actions cell (cancel, pin) at the far right. */
export const ACTIONS_WIDTH = 44

export interface PlacedColumn {
  id: ColumnId
  x: number
  width: number
}

export interface ColumnLayout {
  columns: PlacedColumn[]
  waterfallX: number
  waterfallWidth: number
  actionsX: number
}

/**
 * Place the visible columns left to right, then the waterfall, then the actions cell. When the panel is too
 * narrow, the name column gives way first (down to its minimum), so the bars keep a useful width.
 */
export function layoutColumns(
  visible: readonly ColumnId[],
  widths: Readonly<Partial<Record<ColumnId, number>>>,
  panelWidth: number,
): ColumnLayout {
  const wanted = visible.map((id) => clampWidth(id, widths[id] ?? COLUMN_BY_ID[id].width))
  const fixed = wanted.reduce((a, b) => a + b, 0)
  const room = panelWidth - ACTIONS_WIDTH - minWaterfallWidth(panelWidth)
  const nameAt = visible.indexOf('name')
  if (fixed > room && nameAt >= 0) {
    const name = wanted[nameAt] ?? 0
    wanted[nameAt] = Math.max(COLUMN_BY_ID.name.min, name - (fixed - room))
  }
  const columns: PlacedColumn[] = []
  let x = 0
  visible.forEach((id, i) => {
    const width = wanted[i] ?? 0
    columns.push({ id, x, width })
    x += width
  })
  const waterfallWidth = Math.max(40, panelWidth - ACTIONS_WIDTH - x)
  return { columns, waterfallX: x, waterfallWidth, actionsX: x + waterfallWidth }
}

export function clampWidth(id: ColumnId, px: number): number {
  const min = COLUMN_BY_ID[id].min
  if (!Number.isFinite(px)) return COLUMN_BY_ID[id].width
  return Math.round(Math.min(MAX_COLUMN_WIDTH, Math.max(min, px)))
}

export type SortDir = 'asc' | 'desc'
export interface SortSpec {
  column: ColumnId
  dir: SortDir
}

/**
 * A value to sort a row by in a column. In-flight rows sort after finished ones for time and size (their
 * figures are still growing); failed rows sort after every HTTP status.
 */
export function sortValue(row: SessionRow, column: ColumnId): number | string {
  switch (column) {
    case 'status':
      return row.state === 'error' ? 1000 : row.state === 'cancelled' ? 1001 : (row.status ?? 999)
    case 'method':
      return methodText(row)
    case 'name':
      return row.queued.name ?? row.queued.url
    case 'protocol':
      return row.sent?.protocol ?? '~'
    case 'remote':
      return row.sent ? `${row.sent.remoteAddress}:${row.sent.remotePort}` : '~'
    case 'connection':
      return row.sent ? (row.sent.reused ? 1 : 0) : 2
    case 'size':
      return wireBytes(row) ?? Number.MAX_SAFE_INTEGER
    case 'time':
      return durationMs(row) ?? Number.MAX_SAFE_INTEGER
    case 'started':
      return row.queued.t
  }
}

export function compareRows(a: SessionRow, b: SessionRow, sort: SortSpec): number {
  const va = sortValue(a, sort.column)
  const vb = sortValue(b, sort.column)
  let c = 0
  if (typeof va === 'number' && typeof vb === 'number') c = va - vb
  else c = String(va) < String(vb) ? -1 : String(va) > String(vb) ? 1 : 0
  if (c === 0) c = a.seq - b.seq
  return sort.dir === 'asc' ? c : -c
}

/** Cycle a header click: ascending, descending, then back to arrival order. */
export function nextSort(current: SortSpec | null, column: ColumnId): SortSpec | null {
  if (!current || current.column !== column) return { column, dir: 'asc' }
  if (current.dir === 'asc') return { column, dir: 'desc' }
  return null
}

export function protocolText(row: SessionRow): string {
  if (!row.sent) return ''
  return row.sent.protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1'
}

export function remoteText(row: SessionRow): string {
  const s = row.sent ?? row.connect
  return s ? `${s.remoteAddress}:${s.remotePort}` : ''
}

export function connectionText(row: SessionRow): string {
  if (!row.sent) return ''
  return row.sent.reused ? 'reused' : 'new'
}

export function startedText(row: SessionRow): string {
  return formatWallTime(row.queued.wall)
}
