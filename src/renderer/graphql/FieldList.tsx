import { memo, useMemo, useState } from 'react'
import type { ArgDoc, FieldDoc } from './schema-protocol'
import { scrollToColumnTop, useColumnWindow } from './use-column-window'
import { groupDigits } from '../../shared/group-digits'

/** A field row's height before it is measured: one line of 12 px text and its padding. */
const ROW_ESTIMATE = 22
/** A type with more fields than this gets a filter above them (find in page sees only the rows drawn). */
const FILTER_FROM = 20

/**
 * A type's fields in the docs column, drawn only where the column shows them (a windowed list over the column's
 * own scroll, rows measured as drawn since a description or long arguments wrap), so a type of 5,001 fields
 * opens in one short task and every field is reachable by scrolling. Past FILTER_FROM fields a filter by field
 * or type name narrows them: find in page (Ctrl+F) does not see rows that are not drawn. Each row says its
 * place in the list to a screen reader (aria-posinset / aria-setsize); the row holding focus stays drawn while
 * the column scrolls away from it.
 */
export function FieldList({
  typeName,
  fields,
  open,
  initialFilter = '',
  initialScroll = 0,
  onFilter,
}: {
  typeName: string
  fields: FieldDoc[]
  open(name: string): void
  /** The filter this list had when it was left (Back brings it back as it was). */
  initialFilter?: string
  /** The column's scroll to start at: the windowed list puts the column there as it takes it over. */
  initialScroll?: number
  onFilter?(filter: string): void
}) {
  const [filter, setFilter] = useState(initialFilter)
  const matches = useMemo(() => {
    const needle = filter.trim().toLowerCase()
    if (!needle) return fields
    return fields.filter(
      (f) => f.name.toLowerCase().includes(needle) || f.typeName.toLowerCase().includes(needle),
    )
  }, [fields, filter])

  const { listRef, virtualizer, margin, onFocus, onBlur } = useColumnWindow<HTMLUListElement>({
    count: matches.length,
    rowEstimate: ROW_ESTIMATE,
    initialScroll,
    keyOf: (i) => matches[i]?.name ?? i,
  })

  const total = groupDigits(fields.length)
  return (
    <>
      {fields.length > FILTER_FROM ? (
        <div className="graphql-docs-filter">
          <input
            type="search"
            aria-label={`Filter fields of ${typeName}`}
            placeholder={`Filter ${total} fields`}
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value)
              onFilter?.(e.target.value)
              scrollToColumnTop(e.currentTarget.parentElement ?? e.currentTarget)
            }}
          />
          <span className="muted small" role="status">
            {filter.trim() ? `${groupDigits(matches.length)} of ${total} fields match` : `${total} fields`}
          </span>
        </div>
      ) : null}
      <ul
        ref={listRef}
        className="graphql-docs-list graphql-docs-windowed"
        aria-label={`Fields of ${typeName}`}
        style={{ height: virtualizer.getTotalSize() }}
        onFocus={onFocus}
        onBlur={onBlur}
      >
        {virtualizer.getVirtualItems().map((row) => {
          const field = matches[row.index]
          if (!field) return null
          return (
            <FieldItem
              key={row.key}
              index={row.index}
              count={matches.length}
              top={row.start - margin}
              measure={virtualizer.measureElement}
              field={field}
              open={open}
            />
          )
        })}
      </ul>
    </>
  )
}

/** A type's name as a button that opens its docs. */
export function TypeLink({ name, open }: { name: string; open(name: string): void }) {
  return (
    <button type="button" className="link-button mono" onClick={() => open(name)}>
      {name}
    </button>
  )
}

/** `[User!]!` with `User` a link: the wrapping as text around the named type. */
function TypeRef({ of, open }: { of: ArgDoc; open(name: string): void }) {
  const at = of.type.indexOf(of.typeName)
  return (
    <>
      {of.type.slice(0, at)}
      <TypeLink name={of.typeName} open={open} />
      {of.type.slice(at + of.typeName.length)}
    </>
  )
}

interface FieldItemProps {
  index: number
  count: number
  /** Its offset in the list, px. */
  top: number
  measure(el: HTMLElement | null): void
  field: FieldDoc
  open(name: string): void
}

/** One field: its name, arguments and type, types as links; placed at its offset, measured once drawn. */
const FieldItem = memo(function FieldItem({ index, count, top, measure, field: f, open }: FieldItemProps) {
  return (
    <li
      ref={measure}
      data-index={index}
      aria-posinset={index + 1}
      aria-setsize={count}
      style={{ transform: `translateY(${top}px)` }}
    >
      <span className="mono">
        {f.name}
        {f.args.length ? (
          <span className="muted">
            (
            {f.args.map((a, i) => (
              <span key={a.name}>
                {i ? ', ' : ''}
                {a.name}: <TypeRef of={a} open={open} />
              </span>
            ))}
            )
          </span>
        ) : null}
        : <TypeRef of={f} open={open} />
      </span>
      {f.description ? <p className="muted small">{f.description}</p> : null}
    </li>
  )
})
