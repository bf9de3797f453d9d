import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql'
import { useState } from 'react'

/**
 * The schema's docs beside the editor: the root types first, then a type's fields with their arguments, types
 * and descriptions; a type's name opens it, Back returns. Bounded by the schema itself (it lists one type).
 */
export function DocsExplorer({ schema }: { schema: GraphQLSchema }) {
  const [trail, setTrail] = useState<string[]>([])
  const current = trail.length ? schema.getType(trail[trail.length - 1] ?? '') : null
  const open = (name: string): void => setTrail((t) => [...t, name])
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (t): t is NonNullable<typeof t> => t !== null && t !== undefined,
  )
  return (
    <aside className="graphql-docs" aria-label="Schema docs">
      {current ? (
        <>
          <button type="button" className="link-button" onClick={() => setTrail((t) => t.slice(0, -1))}>
            ← Back
          </button>
          <TypeDocs type={current} open={open} />
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
            {Object.values(schema.getTypeMap())
              .filter((t) => !t.name.startsWith('__') && !roots.includes(t as never))
              .slice(0, 500)
              .map((t) => (
                <li key={t.name}>
                  <TypeLink name={t.name} open={open} />
                </li>
              ))}
          </ul>
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
function TypeRef({ type, open }: { type: GraphQLType; open(name: string): void }) {
  const text = String(type)
  const name = getNamedType(type).name
  const at = text.indexOf(name)
  return (
    <>
      {text.slice(0, at)}
      <TypeLink name={name} open={open} />
      {text.slice(at + name.length)}
    </>
  )
}

function TypeDocs({ type, open }: { type: GraphQLNamedType; open(name: string): void }) {
  const fields: (GraphQLField<unknown, unknown> | GraphQLInputField)[] =
    isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)
      ? Object.values(type.getFields())
      : []
  return (
    <div>
      <h4 className="mono">{type.name}</h4>
      {type.description ? <p className="small">{type.description}</p> : null}
      {isEnumType(type) ? (
        <ul className="graphql-docs-list">
          {type.getValues().map((v) => (
            <li key={v.name} className="mono">
              {v.name}
              {v.description ? <span className="muted small"> — {v.description}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <ul className="graphql-docs-list" aria-label={`Fields of ${type.name}`}>
        {fields.map((f) => (
          <li key={f.name}>
            <span className="mono">
              {f.name}
              {'args' in f && f.args.length ? (
                <span className="muted">
                  (
                  {f.args.map((a, i) => (
                    <span key={a.name}>
                      {i ? ', ' : ''}
                      {a.name}: <TypeRef type={a.type} open={open} />
                    </span>
                  ))}
                  )
                </span>
              ) : null}
              : <TypeRef type={f.type} open={open} />
            </span>
            {f.description ? <p className="muted small">{f.description}</p> : null}
          </li>
        ))}
      </ul>
    </div>
  )
}
