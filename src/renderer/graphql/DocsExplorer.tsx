import { memo, useCallback, useEffect, useState } from 'react'
import type { LoadedSchema } from './graphql-slice'
import { schemaClient } from './schema-client'
import type { ArgDoc, FieldDoc, TypeDoc } from './schema-protocol'

/**
 * The schema's docs beside the editor: the root types first, then the other types (the summary's first
 * LISTED_TYPES, saying how many more there are), a type's fields with their arguments, types and descriptions;
 * a type's name opens it, Back returns. A type's docs are asked of the schema worker as it opens, one at a time.
 */
export function DocsExplorer({ schema }: { schema: LoadedSchema }) {
  const [trail, setTrail] = useState<string[]>([])
  const current = trail[trail.length - 1]
  // Stable, so the memoized field rows are not drawn again as more of a long list arrives.
  const open = useCallback((name: string): void => setTrail((t) => [...t, name]), [])
  const { roots, typeNames, typeCount } = schema.summary
  const unlisted = typeCount - roots.length - typeNames.length
  return (
    <aside className="graphql-docs" aria-label="Schema docs">
      {current ? (
        <>
          <button type="button" className="link-button" onClick={() => setTrail((t) => t.slice(0, -1))}>
            ← Back
          </button>
          <TypeDocs key={current} schemaKey={schema.key} name={current} open={open} />
        </>
      ) : (
        <>
          <h4>Schema</h4>
          <ul className="graphql-docs-list">
            {roots.map((t) => (
              <li key={t.name}>
                <TypeLink name={t.name} open={open} />
                {t.description ? <p className="muted small">{t.description}</p> : null}
              </li>
            ))}
          </ul>
          <h4>Types</h4>
          <ul className="graphql-docs-list">
            {typeNames.map((name) => (
              <li key={name}>
                <TypeLink name={name} open={open} />
              </li>
            ))}
          </ul>
          {unlisted > 0 ? (
            <p className="muted small" data-testid="graphql-docs-unlisted">
              …and {unlisted.toLocaleString('en-US')} more types, not listed: open them from a field
            </p>
          ) : null}
        </>
      )}
    </aside>
  )
}

function TypeLink({ name, open }: { name: string; open(name: string): void }) {
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

type Loaded = { name: string; doc: TypeDoc | null } | { name: string; error: string }

/** Fields drawn before "Show all" (a root type of a big schema has thousands: drawing them all is a long task). */
const SHOWN_FIELDS = 300
/** After "Show all", fields added a step: 5,001 at once was one task of hundreds of ms; this many stays short. */
const FIELDS_A_STEP = 250

/**
 * Grows `shown` to `total` a step at a time once `growing`, each step its own task (a timer, not a frame: frames
 * stop when the page is hidden or nothing on screen moves), so a long list never holds the page in one task.
 */
function useGrowingCount(total: number, growing: boolean): number {
  const [shown, setShown] = useState(Math.min(total, SHOWN_FIELDS))
  useEffect(() => {
    if (!growing || shown >= total) return
    const step = setTimeout(() => setShown((n) => Math.min(total, n + FIELDS_A_STEP)), 0)
    return () => clearTimeout(step)
  }, [growing, shown, total])
  return shown
}

function TypeDocs({ schemaKey, name, open }: { schemaKey: string; name: string; open(name: string): void }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [all, setAll] = useState(false)
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
  const total = loaded && 'doc' in loaded && loaded.doc ? loaded.doc.fields.length : 0
  const shown = useGrowingCount(total, all)
  if (loaded?.name !== name) return <p className="muted small">Reading {name}…</p>
  if ('error' in loaded) return <p className="small graphql-schema-error">{loaded.error}</p>
  const type = loaded.doc
  if (!type) return <p className="muted small">The schema has no type {name}</p>
  const fields = type.fields.slice(0, Math.max(shown, Math.min(type.fields.length, SHOWN_FIELDS)))
  const growing = all && fields.length < type.fields.length
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
      <ul className="graphql-docs-list" aria-label={`Fields of ${type.name}`} aria-busy={growing}>
        {fields.map((f) => (
          <FieldItem key={f.name} field={f} open={open} />
        ))}
      </ul>
      {growing ? (
        <p className="muted small" role="status">
          Showing {fields.length.toLocaleString('en-US')} of {type.fields.length.toLocaleString('en-US')}{' '}
          fields…
        </p>
      ) : fields.length < type.fields.length ? (
        <button type="button" className="link-button small" onClick={() => setAll(true)}>
          Show all {type.fields.length.toLocaleString('en-US')} fields ({fields.length} shown)
        </button>
      ) : null}
    </div>
  )
}

/** One field: its name, arguments and type, types as links. Memoized: a growing list draws only its new rows. */
const FieldItem = memo(function FieldItem({ field: f, open }: { field: FieldDoc; open(name: string): void }) {
  return (
    <li>
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
