import { useEffect, useMemo } from 'react'
import { GRAPHQL_TRANSPORTS, type GraphqlTransport } from '../../shared/graphql'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { GraphqlEditor } from './GraphqlEditor'
import { activeSavedGraphql, graphqlDraftOf, loadedSchema, schemaFileKey } from './graphql-slice'
import { operationNames, runsSubscription } from './operations'
import { SchemaPanel } from './SchemaPanel'
import './graphql.css'

/**
 * The transport box's options: short, so the box (as wide as its longest option) leaves the bar one line at
 * 1024 px ("GraphQL over SSE (single connection)" made it ~260 px); the CLI's names where the protocol's is long
 * (`-t transport-ws`). Each is said in full words on the box's hover and in graphql.md.
 */
const TRANSPORT_LABELS: Record<GraphqlTransport, string> = {
  http: 'HTTP',
  ws: 'WebSocket (auto)',
  'transport-ws': 'transport-ws',
  'legacy-ws': 'legacy graphql-ws',
  sse: 'SSE',
  'sse-single': 'SSE (single)',
}

const TRANSPORT_TITLES: Record<GraphqlTransport, string> = {
  http: 'HTTP: queries and mutations (a subscription needs a streaming transport)',
  ws: 'WebSocket: offers graphql-transport-ws and the legacy graphql-ws, and speaks the one the server accepts',
  'transport-ws': 'WebSocket offering only the graphql-transport-ws subprotocol',
  'legacy-ws': 'WebSocket offering only the legacy graphql-ws subprotocol (subscriptions-transport-ws)',
  sse: 'GraphQL over SSE, distinct connections mode: a stream per operation',
  'sse-single': 'GraphQL over SSE, single connection mode: one reserved stream carries the operations',
}

/** The transports whose subscriptions can share one WebSocket. */
const WS_TRANSPORTS: ReadonlySet<GraphqlTransport> = new Set(['ws', 'transport-ws', 'legacy-ws'])

/**
 * The composer in GraphQL mode: the document (completion and validation against the fetched schema), the
 * variables, the operation to run when the document has several, the transport, Fetch schema and its docs.
 * A request that names a `.graphql` schema file uses that file's schema instead of the introspected one.
 */
export function GraphqlComposer() {
  const url = useActiveDraft((d) => d.url)
  const saved = useAppStore(activeSavedGraphql)
  const method = useActiveDraft((d) => d.method)
  const g = useMemo(() => graphqlDraftOf(saved, method), [saved, method])
  const set = useAppStore((s) => s.setGraphqlDraft)
  const introspected = useAppStore((s) => s.graphqlSchemas[url.trim()])
  const loadSchemaFile = useAppStore((s) => s.loadSchemaFile)
  const file = g.schemaFile.trim()
  const fromFile = useAppStore((s) => (file ? s.graphqlSchemas[schemaFileKey(file)] : undefined))
  const schemaState = file ? fromFile : introspected
  const schema = loadedSchema(schemaState)
  const fileLoaded = fromFile !== undefined
  // A request opened with a schema file (or a path typed, once typing pauses) loads it once.
  useEffect(() => {
    if (!file || fileLoaded) return
    const timer = setTimeout(() => void loadSchemaFile(file), 400)
    return () => clearTimeout(timer)
  }, [file, fileLoaded, loadSchemaFile])
  const ops = useMemo(() => operationNames(g.query), [g.query])
  // The default transport (HTTP) cannot carry a subscription: offer the one that can, before Send refuses it.
  const needsStream = useMemo(
    () => g.transport === 'http' && runsSubscription(g.query, g.operationName),
    [g.transport, g.query, g.operationName],
  )

  return (
    <div className="graphql-composer">
      {/* The bar over the editors only: the schema's column beside them takes the panel's whole height. */}
      <div className="graphql-work">
        <div className="graphql-bar" role="group" aria-label="GraphQL options">
          <label>
            Transport{' '}
            <select
              aria-label="Transport"
              title={TRANSPORT_TITLES[g.transport]}
              value={g.transport}
              onChange={(e) => set({ transport: e.target.value as GraphqlTransport })}
            >
              {GRAPHQL_TRANSPORTS.map((t) => (
                <option key={t} value={t}>
                  {TRANSPORT_LABELS[t]}
                </option>
              ))}
            </select>
          </label>
          {g.transport === 'http' ? (
            <label>
              Method{' '}
              <select
                aria-label="GraphQL method"
                value={g.method}
                onChange={(e) => set({ method: e.target.value === 'GET' ? 'GET' : 'POST' })}
              >
                <option value="POST">POST</option>
                <option value="GET">GET</option>
              </select>
            </label>
          ) : null}
          {needsStream ? (
            <button
              type="button"
              className="secondary-button"
              title="A subscription needs a streaming transport: WebSocket (auto) or SSE"
              onClick={() => set({ transport: 'ws' })}
            >
              Subscribe over WebSocket
            </button>
          ) : null}
          {WS_TRANSPORTS.has(g.transport) ? (
            <label title="Off: this subscription opens a WebSocket of its own instead of sharing the endpoint's open one">
              <input
                type="checkbox"
                aria-label="Share connection"
                checked={g.shareConnection}
                onChange={(e) => set({ shareConnection: e.target.checked })}
              />{' '}
              Share connection
            </label>
          ) : null}
          {ops.length > 1 ? (
            // Narrows to the room left on the bar's line (its name whole on hover) rather than taking a line.
            <label className="graphql-operation">
              Operation{' '}
              <select
                aria-label="Operation"
                title={g.operationName || 'Choose the operation to run'}
                value={g.operationName}
                onChange={(e) => set({ operationName: e.target.value })}
              >
                <option value="">Choose…</option>
                {ops.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
        {/* The document and its variables side by side, so a short composer shows both. */}
        <div className="graphql-main">
          <div className="graphql-editors">
            <GraphqlEditor
              label="GraphQL query"
              value={g.query}
              onChange={(query) => set({ query })}
              schemaKey={schema?.key ?? null}
              placeholderText="query { … } (Ctrl+Space completes from the schema)"
            />
          </div>
          <div className="graphql-vars">
            <div className="graphql-vars-label muted small">Variables (JSON)</div>
            <GraphqlEditor
              label="GraphQL variables"
              value={g.variables}
              onChange={(variables) => set({ variables })}
              schemaKey={null}
              plain
              placeholderText='{ "id": 1 }'
            />
          </div>
        </div>
      </div>
      <SchemaPanel
        url={url.trim()}
        file={file}
        schemaFile={g.schemaFile}
        introspected={introspected}
        fromFile={fromFile}
        onSchemaFile={(schemaFile) => set({ schemaFile })}
      />
    </div>
  )
}
