import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import { FieldList, TypeLink } from './FieldList'
import type { LoadedSchema } from './graphql-slice'
import { schemaClient } from './schema-client'
import type { TypeDoc } from './schema-protocol'
import { TypeIndex } from './TypeIndex'
import { scrollingAncestor } from './use-column-window'

/** A type on show or left for another: its fields' filter and the column's scroll as left, for Back to put back. */
interface Level {
  name: string
  filter: string
  scrollTop: number
}

/**
 * The schema's docs beside the editor: the root types first, then all its types (TypeIndex: the summary's
 * first LISTED_TYPES, saying how many more there are, and a filter over all of them), a type's fields with their arguments, types and descriptions;
 * a type's name opens it at its top, Back returns to the level before where it was left (the column's scroll and
 * the fields' filter), as a browser's Back does. A type's docs are asked of the schema worker as it opens, one
 * at a time; its fields are a windowed list (FieldList), drawn only where the column shows them, as the type
 * names are (TypeNameList).
 */
export function DocsExplorer({ schema }: { schema: LoadedSchema }) {
  const [trail, setTrail] = useState<Level[]>([])
  const current = trail[trail.length - 1]
  const aside = useRef<HTMLElement>(null)
  /** The column's scroll in the schema's list of types, as left for a type. */
  const rootScroll = useRef(0)
  /** The filter of the fields on show, as typed. */
  const filter = useRef('')
  /** The filter of the schema's types (kept while a type is open, for Back). */
  const [typeFilter, setTypeFilter] = useState('')
  const column = (): HTMLElement | null => (aside.current ? scrollingAncestor(aside.current) : null)
  // Stable, so the memoized field rows are not drawn again as the list scrolls.
  const open = useCallback((name: string): void => {
    const scrollTop = column()?.scrollTop ?? 0
    const leftFilter = filter.current
    filter.current = ''
    setTrail((t) => {
      const from = t[t.length - 1]
      if (!from) rootScroll.current = scrollTop
      const before = from ? [...t.slice(0, -1), { ...from, filter: leftFilter, scrollTop }] : []
      return [...before, { name, filter: '', scrollTop: 0 }]
    })
  }, [])
  const back = (): void => {
    filter.current = trail[trail.length - 2]?.filter ?? ''
    setTrail((t) => t.slice(0, -1))
  }
  /** A level's content is in the page: the column goes where that level was left (a new one: its top). */
  const shown = useCallback((scrollTop: number): void => {
    const el = column()
    if (el) el.scrollTop = scrollTop
  }, [])
  const leftAt = useCallback((): number => rootScroll.current, [])
  const setFilter = useCallback((f: string): void => {
    filter.current = f
  }, [])
  const firstList = useRef(true)
  useLayoutEffect(() => {
    if (trail.length !== 0) return
    if (firstList.current) {
      firstList.current = false
      // A schema's first list goes to its top in the next frame, with that frame's layout: placed here, finding the
      // column (a computed style) and setting its scroll forced the layout of the names just drawn inside the task
      // that drew them, 15-30 ms of a 5,000-type schema's 50-90 ms task.
      const frame = requestAnimationFrame(() => shown(rootScroll.current))
      return () => cancelAnimationFrame(frame)
    }
    shown(rootScroll.current)
  }, [trail.length, shown])
  const { roots } = schema.summary
  return (
    <aside ref={aside} className="graphql-docs" aria-label="Schema docs">
      {current ? (
        <>
          <button type="button" className="link-button" onClick={back}>
            ← Back
          </button>
          <TypeDocs
            key={`${trail.length}:${current.name}`}
            schemaKey={schema.key}
            name={current.name}
            open={open}
            initialFilter={current.filter}
            initialScroll={current.scrollTop}
            onFilter={setFilter}
            shown={shown}
          />
        </>
      ) : (
        <>
          <h4>Schema</h4>
          {/* The root types again come in the list of all types below (as GraphiQL's): this list is named apart. */}
          <ul className="graphql-docs-list" aria-label="Schema roots">
            {roots.map((t) => (
              <li key={t.name}>
                <TypeLink name={t.name} open={open} />
                {t.description ? <p className="muted small">{t.description}</p> : null}
              </li>
            ))}
          </ul>
          <TypeIndex
            schema={schema}
            filter={typeFilter}
            onFilter={setTypeFilter}
            open={open}
            initialScroll={leftAt}
          />
        </>
      )}
    </aside>
  )
}

type Loaded = { name: string; doc: TypeDoc | null } | { name: string; error: string }

interface TypeDocsProps {
  schemaKey: string
  name: string
  open(name: string): void
  initialFilter: string
  /** Where the column was when this level was left (0 for a type just opened). */
  initialScroll: number
  onFilter(filter: string): void
  /** Called once its content is in the page, to put the column where it was. */
  shown(scrollTop: number): void
}

function TypeDocs(props: TypeDocsProps) {
  const { schemaKey, name, open, initialFilter, initialScroll, onFilter, shown } = props
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  useEffect(() => {
    let live = true
    schemaClient()
      .call('type', { key: schemaKey, name })
      .then(
        (doc) => live && setLoaded({ name, doc }),
        (e: unknown) => live && setLoaded({ name, error: e instanceof Error ? e.message : String(e) }),
      )
    return () => {
      live = false
    }
  }, [schemaKey, name])
  const ready = loaded?.name === name
  useLayoutEffect(() => {
    if (ready) shown(initialScroll)
  }, [ready, shown, initialScroll])
  if (!ready) return <p className="muted small">Reading {name}…</p>
  if ('error' in loaded) return <p className="small graphql-schema-error">{loaded.error}</p>
  const type = loaded.doc
  if (!type) return <p className="muted small">The schema has no type {name}</p>
  return (
    <div>
      <h4 className="mono">{type.name}</h4>
      {type.description ? <p className="small">{type.description}</p> : null}
      {type.enumValues.length ? (
        <ul className="graphql-docs-list">
          {type.enumValues.map((v) => (
            <li key={v.name} className="mono">
              {v.name}
              {v.description ? <span className="muted small"> — {v.description}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <FieldList
        typeName={type.name}
        fields={type.fields}
        open={open}
        initialFilter={initialFilter}
        initialScroll={initialScroll}
        onFilter={onFilter}
      />
    </div>
  )
}
