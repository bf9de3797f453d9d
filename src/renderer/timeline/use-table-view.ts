import { useMemo } from 'react'
import { useAppStore } from '../store/store-context'
import { buildTableView, filtersActive, type TableView } from './table-view'

/**
 * The listed items for the table and the waterfall. With no filter, sort or grouping it depends only on the
 * timeline's `order`, so progress on rows already listed re-renders nothing here. The store appends to `order`
 * in place, so it is watched by its version, and each version is a new view: readers of the view (the rows,
 * the waterfall, the scroll to a selection listed late) know by its identity that it changed.
 */
export function useTableView(): TableView {
  const filters = useAppStore((s) => s.tableFilters)
  const sort = useAppStore((s) => s.tableSort)
  const groupBy = useAppStore((s) => s.groupBy)
  const collapsed = useAppStore((s) => s.collapsedGroups)
  const batchNames = useAppStore((s) => s.importedBatches)
  const plain = !filtersActive(filters) && sort === null && groupBy === 'none'
  const order = useAppStore((s) => s.timeline.order)
  const orderVersion = useAppStore((s) => s.timeline.orderVersion)
  const timeline = useAppStore((s) => (plain ? null : s.timeline))
  return useMemo(
    () =>
      timeline === null
        ? { items: order, rowCount: order.length, orderVersion }
        : buildTableView(timeline, { filters, sort, groupBy, collapsed, batchNames }),
    [timeline, order, orderVersion, filters, sort, groupBy, collapsed, batchNames],
  )
}
