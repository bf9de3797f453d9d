import { HTTP_METHODS } from '../../shared/constants'
import { useAppStore } from '../store/store-context'
import type { GroupBy, ProtocolFilter, StatusClassFilter } from './table-view'

/** The Method filter's choices: HTTP methods (SSE streams go by theirs), and WS for WebSocket sessions. */
export const METHOD_FILTERS: readonly string[] = [...HTTP_METHODS, 'WS', 'MQTT', 'SIO']

/**
 * The timeline's filter and grouping controls, one component each, so the toolbar can show them in its line
 * and, when the panel is too narrow for all of them, again in its "More" menu (CSS container queries decide
 * which copy is displayed; the menu's copies exist only while it is open, so a label names one control).
 * Listed in the order they leave the line: the last ones first.
 */
export const OPTIONAL_FILTERS = ['method', 'status', 'group', 'protocol', 'errors', 'inflight'] as const
export type OptionalFilter = (typeof OPTIONAL_FILTERS)[number]

export function FilterControl({ id, className }: { id: OptionalFilter; className: string }) {
  const filters = useAppStore((s) => s.tableFilters)
  const setFilters = useAppStore((s) => s.setFilters)
  const groupBy = useAppStore((s) => s.groupBy)
  const setGroupBy = useAppStore((s) => s.setGroupBy)
  switch (id) {
    case 'method':
      return (
        <select
          className={className}
          aria-label="Method filter"
          value={filters.method}
          onChange={(e) => setFilters({ method: e.target.value })}
        >
          <option value="all">Method</option>
          {METHOD_FILTERS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      )
    case 'status':
      return (
        <select
          className={className}
          aria-label="Status filter"
          value={filters.status}
          onChange={(e) => setFilters({ status: e.target.value as StatusClassFilter })}
        >
          <option value="all">Status</option>
          <option value="2xx">2xx</option>
          <option value="3xx">3xx</option>
          <option value="4xx">4xx</option>
          <option value="5xx">5xx</option>
        </select>
      )
    case 'protocol':
      return (
        <select
          className={className}
          aria-label="Protocol filter"
          value={filters.protocol}
          onChange={(e) => setFilters({ protocol: e.target.value as ProtocolFilter })}
        >
          <option value="all">Protocol</option>
          <option value="http/1.1">HTTP/1.1</option>
          <option value="h2">HTTP/2</option>
        </select>
      )
    case 'errors':
      return (
        <label className={`check ${className}`} title="Failed, cancelled, 4xx and 5xx">
          <input
            type="checkbox"
            checked={filters.errorsOnly}
            onChange={(e) => setFilters({ errorsOnly: e.target.checked })}
          />
          Errors
        </label>
      )
    case 'inflight':
      return (
        <label className={`check ${className}`}>
          <input
            type="checkbox"
            checked={filters.inFlightOnly}
            onChange={(e) => setFilters({ inFlightOnly: e.target.checked })}
          />
          In flight
        </label>
      )
    case 'group':
      return (
        <select
          className={className}
          aria-label="Group by"
          value={groupBy}
          onChange={(e) => setGroupBy(e.target.value as GroupBy)}
        >
          <option value="none">No groups</option>
          <option value="batch">By batch</option>
          <option value="origin">By origin</option>
        </select>
      )
  }
}
