import { memo } from 'react'
import { TypeLink } from './FieldList'
import { useColumnWindow } from './use-column-window'

/** A type name's row before it is measured: one line of 12 px text and its padding. */
const ROW_ESTIMATE = 22

/**
 * The schema's type names in the docs column, drawn only where the column shows them (as a type's fields are,
 * FieldList), so a big schema's first list is drawn in a short task: drawing the summary's 500 names at once
 * was most of the longest task while a 5,000-type schema loads. Each row says its place in the list to a screen
 * reader; the row holding focus stays drawn while the column scrolls away from it.
 */
export function TypeNameList({
  names,
  open,
  initialScroll,
}: {
  names: string[]
  open(name: string): void
  /** Where the column was when this list was left, for Back (asked as the list is first drawn). */
  initialScroll(): number
}) {
  const { listRef, virtualizer, margin, onFocus, onBlur } = useColumnWindow<HTMLUListElement>({
    count: names.length,
    rowEstimate: ROW_ESTIMATE,
    initialScroll,
    keyOf: (i) => names[i] ?? i,
  })
  return (
    <ul
      ref={listRef}
      className="graphql-docs-list graphql-docs-windowed"
      aria-label="Types"
      style={{ height: virtualizer.getTotalSize() }}
      onFocus={onFocus}
      onBlur={onBlur}
    >
      {virtualizer.getVirtualItems().map((row) => {
        const name = names[row.index]
        if (name === undefined) return null
        return (
          <TypeNameItem
            key={row.key}
            index={row.index}
            count={names.length}
            top={row.start - margin}
            measure={virtualizer.measureElement}
            name={name}
            open={open}
          />
        )
      })}
    </ul>
  )
}

interface TypeNameItemProps {
  index: number
  count: number
  /** Its offset in the list, px. */
  top: number
  measure(el: HTMLElement | null): void
  name: string
  open(name: string): void
}

const TypeNameItem = memo(function TypeNameItem({
  index,
  count,
  top,
  measure,
  name,
  open,
}: TypeNameItemProps) {
  return (
    <li
      ref={measure}
      data-index={index}
      aria-posinset={index + 1}
      aria-setsize={count}
      style={{ transform: `translateY(${top}px)` }}
    >
      <TypeLink name={name} open={open} />
    </li>
  )
})
