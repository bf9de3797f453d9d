import { errorLine } from '../../shared/graphql'
import type { SessionRow } from '../timeline/session-row'

/**
 * A GraphQL result's errors above its body: errors even when the status is 200, each with its path and
 * location; or why the answer was not read as a GraphQL result.
 */
export function GraphqlErrors({ row }: { row: SessionRow }) {
  const g = row.graphql
  if (!g) return null
  if (g.note) return <p className="muted body-note">{g.note}</p>
  if (g.errorCount === 0) return null
  const more = g.errorCount - g.errors.length
  return (
    <div className="graphql-errors" role="alert" aria-label="GraphQL errors">
      <strong>
        {g.errorCount === 1 ? '1 GraphQL error' : `${g.errorCount} GraphQL errors`}
        {row.status === 200 ? ' (on HTTP 200)' : ''}
        {g.hasData ? '; partial data below' : ''}
      </strong>
      <ul>
        {g.errors.map((e, i) => (
          <li key={i} className="mono">
            {errorLine(e)}
          </li>
        ))}
        {more > 0 ? <li className="muted">… and {more} more (in the body)</li> : null}
      </ul>
    </div>
  )
}
