import type { StateCreator } from 'zustand/vanilla'
import type { AppState } from '../store/app-state'
import { clampWidth, DEFAULT_VISIBLE, nextSort, COLUMNS, type ColumnId, type SortSpec } from './columns'
import { NO_FILTERS, type GroupBy, type TimelineFilters } from './table-view'
import { FOLLOW_LIVE, type TimeView } from './time-view'

/**
 * How the person looks at the timeline: filters, sort, grouping, columns, the time window, pins and the pair
 * being compared. The rows themselves live in the timeline slice; this is only the lens.
 */
export interface TimelineViewSlice {
  tableFilters: TimelineFilters
  tableSort: SortSpec | null
  groupBy: GroupBy
  collapsedGroups: ReadonlySet<string>
  visibleColumns: readonly ColumnId[]
  columnWidths: Readonly<Partial<Record<ColumnId, number>>>
  timeView: TimeView
  /** Where the details pane sits beside the timeline; remembered across launches. */
  detailsPlacement: DetailsPlacement
  /** Rows kept when clearing. */
  pinned: ReadonlySet<string>
  /** Up to two rows marked for side-by-side comparison (Ctrl/Cmd+click). */
  compareSids: readonly string[]
  setFilters(patch: Partial<TimelineFilters>): void
  resetFilters(): void
  /** A header click: ascending, descending, arrival order. */
  sortBy(column: ColumnId): void
  setGroupBy(groupBy: GroupBy): void
  toggleGroup(key: string): void
  toggleColumn(id: ColumnId): void
  setColumnWidth(id: ColumnId, px: number): void
  setTimeView(view: TimeView): void
  setDetailsPlacement(placement: DetailsPlacement): void
  togglePin(sid: string): void
  /**
   * Mark or unmark a row for comparison; a third mark replaces the older of two. With nothing marked yet, the
   * selected row is marked first, so a click then a Ctrl/Cmd+click compares the two.
   */
  toggleCompare(sid: string): void
  clearCompare(): void
}

const STORAGE_KEY = 'flightdeck.timeline.columns'
const PLACEMENT_KEY = 'flightdeck.layout.details'

/**
 * Right of the timeline, below it, or hidden. Below is the default: beside a 1440 px window's sidebar and
 * composer, a details pane on the right left the waterfall 258 px to draw on.
 */
export type DetailsPlacement = 'right' | 'below' | 'hidden'
export const DETAILS_PLACEMENTS: readonly DetailsPlacement[] = ['right', 'below', 'hidden']
export const DEFAULT_DETAILS_PLACEMENT: DetailsPlacement = 'below'

function loadPlacement(): DetailsPlacement {
  try {
    const raw = globalThis.localStorage?.getItem(PLACEMENT_KEY)
    return DETAILS_PLACEMENTS.find((p) => p === raw) ?? DEFAULT_DETAILS_PLACEMENT
  } catch {
    return DEFAULT_DETAILS_PLACEMENT
  }
}

interface SavedColumns {
  visible: ColumnId[]
  widths: Partial<Record<ColumnId, number>>
}

const KNOWN = new Set<string>(COLUMNS.map((c) => c.id))

function loadColumns(): SavedColumns {
  const fallback: SavedColumns = { visible: [...DEFAULT_VISIBLE], widths: {} }
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (!raw) return fallback
    const parsed = JSON.parse(raw) as Partial<SavedColumns>
    const visible = (parsed.visible ?? []).filter((id): id is ColumnId => KNOWN.has(id))
    const widths: Partial<Record<ColumnId, number>> = {}
    for (const [k, v] of Object.entries(parsed.widths ?? {})) {
      if (KNOWN.has(k) && typeof v === 'number') widths[k as ColumnId] = clampWidth(k as ColumnId, v)
    }
    return { visible: visible.length > 0 ? visible : fallback.visible, widths }
  } catch {
    return fallback
  }
}

function saveColumns(s: SavedColumns): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(s))
  } catch {
    // Storage can be unavailable (private mode, tests): the layout still applies for this session.
  }
}

export function createTimelineViewSlice(): StateCreator<AppState, [], [], TimelineViewSlice> {
  return (set, get) => {
    const saved = loadColumns()
    const persist = (): void =>
      saveColumns({ visible: [...get().visibleColumns], widths: { ...get().columnWidths } })
    return {
      tableFilters: NO_FILTERS,
      tableSort: null,
      groupBy: 'none',
      collapsedGroups: new Set(),
      visibleColumns: saved.visible,
      columnWidths: saved.widths,
      timeView: FOLLOW_LIVE,
      detailsPlacement: loadPlacement(),
      pinned: new Set(),
      compareSids: [],
      setFilters: (patch) => set((s) => ({ tableFilters: { ...s.tableFilters, ...patch } })),
      resetFilters: () => set({ tableFilters: NO_FILTERS }),
      sortBy: (column) => set((s) => ({ tableSort: nextSort(s.tableSort, column) })),
      setGroupBy: (groupBy) => set({ groupBy, collapsedGroups: new Set() }),
      toggleGroup: (key) =>
        set((s) => {
          const next = new Set(s.collapsedGroups)
          if (!next.delete(key)) next.add(key)
          return { collapsedGroups: next }
        }),
      toggleColumn: (id) => {
        set((s) => {
          const on = s.visibleColumns.includes(id)
          if (on && s.visibleColumns.length === 1) return {}
          // Keep the canonical column order whatever the order they were switched on in.
          const next = COLUMNS.map((c) => c.id).filter((c) => (c === id ? !on : s.visibleColumns.includes(c)))
          return { visibleColumns: next }
        })
        persist()
      },
      setColumnWidth: (id, px) => {
        set((s) => ({ columnWidths: { ...s.columnWidths, [id]: clampWidth(id, px) } }))
        persist()
      },
      setTimeView: (timeView) => set({ timeView }),
      setDetailsPlacement: (detailsPlacement) => {
        set({ detailsPlacement })
        try {
          globalThis.localStorage?.setItem(PLACEMENT_KEY, detailsPlacement)
        } catch {
          // Storage can be unavailable: the placement still applies for this session.
        }
      },
      togglePin: (sid) =>
        set((s) => {
          const next = new Set(s.pinned)
          if (!next.delete(sid)) next.add(sid)
          return { pinned: next }
        }),
      toggleCompare: (sid) =>
        set((s) => {
          if (s.compareSids.includes(sid)) return { compareSids: s.compareSids.filter((x) => x !== sid) }
          // A click then a Ctrl/Cmd+click compares the two, as in a file manager's selection.
          if (s.compareSids.length === 0 && s.selectedSid !== null && s.selectedSid !== sid)
            return { compareSids: [s.selectedSid, sid] }
          const kept = s.compareSids.length >= 2 ? s.compareSids.slice(1) : s.compareSids
          return { compareSids: [...kept, sid] }
        }),
      clearCompare: () => set({ compareSids: [] }),
    }
  }
}
