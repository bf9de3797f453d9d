import { useCallback, useEffect, useState } from 'react'
import { FieldList, TypeLink } from './FieldList'
import type { LoadedSchema } from './graphql-slice'
import { schemaClient } from './schema-client'
import type { TypeDoc } from './schema-protocol'

/**
 * The schema's docs beside the editor: the root types first, then the other types (the summary's first
 * LISTED_TYPES, saying how many more there are), a type's fields with their arguments, types and descriptions;
 * a type's name opens it, Back returns. A type's docs are asked of the schema worker as it opens, one at a time;
 * its fields are a windowed list (FieldList), drawn only where the column shows them.
 */
export function DocsExplorer({ schema }: { schema: LoadedSchema }) {
  const [trail, setTrail] = useState<string[]>([])
  const current = trail[trail.length - 1]
  // Stable, so the memoized field rows are not drawn again as the list scrolls.
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

type Loaded = { name: string; doc: TypeDoc | null } | { name: string; error: string }

function TypeDocs({ schemaKey, name, open }: { schemaKey: string; name: string; open(name: string): void }) {
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
  if (loaded?.name !== name) return <p className="muted small">Reading {name}…</p>
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
      <FieldList typeName={type.name} fields={type.fields} open={open} />
    </div>
  )
}
