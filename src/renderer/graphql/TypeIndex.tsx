import { useEffect, useState } from 'react'
import type { LoadedSchema } from './graphql-slice'
import { schemaClient } from './schema-client'
import type { TypeMatches } from './schema-protocol'
import { TypeNameList } from './TypeNameList'
import { scrollToColumnTop } from './use-column-window'
import { groupDigits } from '../../shared/group-digits'

/** A schema with more types than this gets a filter above them, as a type's fields do (FieldList). */
const FILTER_FROM = 20

/**
 * All the schema's types under its roots in the docs column (the roots too, so the count is the schema line's):
 * the summary's first names, and past FILTER_FROM types a filter by name over every type, asked of the schema
 * worker (which holds them all, where the summary lists the first 500). The list is windowed, so find in page (Ctrl+F) does not see names out of sight: the filter is the
 * way to them, and it says how many match ("12 of 5,001 types match"). The filter lives with the docs (Back from
 * a type brings it back as it was).
 */
export function TypeIndex({
  schema,
  filter,
  onFilter,
  open,
  initialScroll,
}: {
  schema: LoadedSchema
  filter: string
  onFilter(filter: string): void
  open(name: string): void
  /** Where the column was when this list was left, for Back (asked as the list is first drawn). */
  initialScroll(): number
}) {
  const { typeNames, typeCount: total } = schema.summary
  const found = useTypeMatches(schema.key, filter)
  const filtering = filter.trim() !== '' && found !== null
  const names = filtering ? found.names : typeNames
  const matches = filtering ? found.matches : total
  const unlisted = matches - names.length
  const all = groupDigits(total)
  return (
    <>
      <h4>All types</h4>
      {total > FILTER_FROM ? (
        <div className="graphql-docs-filter">
          <input
            type="search"
            aria-label="Filter types"
            placeholder={`Filter ${all} types`}
            value={filter}
            onChange={(e) => {
              onFilter(e.target.value)
              scrollToColumnTop(e.currentTarget.parentElement ?? e.currentTarget)
            }}
          />
          <span className="muted small" role="status">
            {filtering ? `${groupDigits(matches)} of ${all} types match` : `${all} types`}
          </span>
        </div>
      ) : null}
      <TypeNameList names={names} open={open} initialScroll={initialScroll} />
      {unlisted > 0 ? (
        <p className="muted small" data-testid="graphql-docs-unlisted">
          …and {groupDigits(unlisted)} more {filtering ? 'matches' : 'types'}, not listed: filter by name to
          find them, or open them from a field
        </p>
      ) : null}
    </>
  )
}

/**
 * The worker's answer for `filter` (null while nothing was asked yet); the last answer stays on show while the
 * next is asked, so the list does not blink empty between keystrokes, and an answer that comes late for a filter
 * since changed is dropped.
 */
function useTypeMatches(key: string, filter: string): (TypeMatches & { filter: string }) | null {
  const [found, setFound] = useState<(TypeMatches & { filter: string }) | null>(null)
  const needle = filter.trim()
  useEffect(() => {
    if (needle === '') return
    let live = true
    schemaClient()
      .call('types', { key, filter: needle })
      .then(
        (m) => live && setFound({ ...m, filter: needle }),
        // A schema dropped meanwhile (reloaded, another request): the unfiltered list stays.
        () => live && setFound(null),
      )
    return () => {
      live = false
    }
  }, [key, needle])
  return needle === '' ? null : found
}
