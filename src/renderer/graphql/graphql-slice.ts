import type { GraphQLSchema, IntrospectionQuery } from 'graphql'
import type { StateCreator } from 'zustand'
import type { GraphqlTransport } from '../../shared/graphql'
import type { SavedGraphql } from '../../shared/graphql-saved'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { selectActiveDraft } from '../tabs/active-draft'
import { checkJsonText } from './graphql-variables'

/**
 * The composer's GraphQL mode: the tab's document, variables, operation and transport live in the request's own
 * `graphql:` block (the tab's saved content, so a save writes them, opening a file brings them back, and an
 * edit marks the tab changed), its method is the request's; sending goes through `graphql.send`; schemas
 * fetched by introspection are cached per URL until refreshed. An introspection is a query like any other: its
 * row is on the timeline.
 */

export interface GraphqlDraft {
  query: string
  variables: string
  operationName: string
  transport: GraphqlTransport
  method: 'POST' | 'GET'
  connectionParams: string
  /** WebSocket transports: share the endpoint's open connection (on by default, as Apollo Client and Altair do). */
  shareConnection: boolean
  /** A `.graphql` SDL file (relative to the collection folder): its schema, when loaded, is the composer's. */
  schemaFile: string
}

export type SchemaState =
  | { state: 'loading' }
  | { state: 'ready'; schema: GraphQLSchema; at: number }
  | { state: 'error'; message: string }

export interface GraphqlSlice {
  graphqlSchemas: Readonly<Record<string, SchemaState>>
  setGraphqlDraft(patch: Partial<GraphqlDraft>): void
  sendGraphql(): Promise<void>
  /** Introspect `url` (again when `refresh`), keeping the schema for the URL. */
  fetchSchema(url: string, refresh?: boolean): Promise<void>
  /** Read the `.graphql` SDL file `path` (again, when loaded before) and build its schema. */
  loadSchemaFile(path: string): Promise<void>
}

/** Where a schema file's schema is kept in `graphqlSchemas` (introspected ones are kept by URL). */
export const schemaFileKey = (path: string): string => `file:${path.trim()}`

/** How long an introspection may take before the composer says it failed. */
const SCHEMA_WAIT_MS = 30_000
const READ_BYTES = 4 * 1024 * 1024
const NO_GRAPHQL: SavedGraphql = { query: '' }

/** The active tab's `graphql:` block as stored (a stable object for selectors). */
export function activeSavedGraphql(s: Pick<AppState, 'tabs' | 'activeTabId'>): SavedGraphql {
  const tab = s.tabs.find((t) => t.id === s.activeTabId)
  return tab?.extras.other.graphql ?? NO_GRAPHQL
}

/** The composer's view of a `graphql:` block and the request's method. */
export function graphqlDraftOf(g: SavedGraphql, method: string): GraphqlDraft {
  return {
    query: g.query,
    variables: g.variables ?? '',
    operationName: g.operationName ?? '',
    transport: g.transport ?? 'http',
    method: method.trim().toUpperCase() === 'GET' ? 'GET' : 'POST',
    connectionParams: g.connectionParams ?? '',
    shareConnection: g.shareConnection ?? true,
    schemaFile: g.schemaFile ?? '',
  }
}

/** The block as written: empty fields and the default transport left out, so files stay short. */
function savedOf(d: GraphqlDraft): SavedGraphql {
  return {
    query: d.query,
    ...(d.variables.trim() ? { variables: d.variables } : {}),
    ...(d.operationName ? { operationName: d.operationName } : {}),
    ...(d.transport !== 'http' ? { transport: d.transport } : {}),
    ...(d.connectionParams.trim() ? { connectionParams: d.connectionParams } : {}),
    ...(d.shareConnection ? {} : { shareConnection: false }),
    ...(d.schemaFile.trim() ? { schemaFile: d.schemaFile.trim() } : {}),
  }
}

export function createGraphqlSlice(client: ApiClient): StateCreator<AppState, [], [], GraphqlSlice> {
  return (set, get) => ({
    graphqlSchemas: {},

    setGraphqlDraft: (patch) => {
      const { method, ...rest } = patch
      if (method !== undefined) get().setMethod(method)
      if (Object.keys(rest).length === 0) return
      set((s) => {
        const current = graphqlDraftOf(activeSavedGraphql(s), selectActiveDraft(s).method)
        const graphql = savedOf({ ...current, ...rest })
        return {
          tabs: s.tabs.map((t) =>
            t.id === s.activeTabId
              ? { ...t, extras: { ...t.extras, other: { ...t.extras.other, graphql } } }
              : t,
          ),
        }
      })
    },

    sendGraphql: async () => {
      const draft = selectActiveDraft(get())
      const g = graphqlDraftOf(activeSavedGraphql(get()), draft.method)
      set({ sendError: null })
      // Checked with {{variables}} filled in; text with them goes as typed, for the engine to fill in.
      const vars = get().scopeVars
      const variables = checkJsonText(g.variables, 'Variables', vars)
      if (!variables.ok) return set({ sendError: variables.error })
      const params = checkJsonText(g.connectionParams, 'Connection params', vars)
      if (!params.ok) return set({ sendError: params.error })
      const res = await client.invoke('graphql.send', {
        url: draft.url,
        query: g.query,
        ...(variables.value === null
          ? {}
          : 'text' in variables.value
            ? { variablesText: variables.value.text }
            : { variables: variables.value.object }),
        ...(g.operationName ? { operationName: g.operationName } : {}),
        transport: g.transport,
        method: g.method,
        headers: draft.headers.filter((h) => h.name.trim() !== ''),
        ...(params.value === null
          ? {}
          : 'text' in params.value
            ? { connectionParamsText: params.value.text }
            : { connectionParams: params.value.object }),
        options: { insecure: draft.options.insecure },
        // As Apollo Client and Altair do: subscriptions to one endpoint share its WebSocket (sibling lanes),
        // unless the request asks for a connection of its own.
        subscription: { shareConnection: g.shareConnection },
        ...get().sendScope(),
      })
      if (!res.ok) return set({ sendError: res.error })
      get().select(res.value.sid)
    },

    fetchSchema: async (url, refresh = false) => {
      const known = get().graphqlSchemas[url]
      if (known && !refresh && known.state !== 'error') return
      const put = (state: SchemaState): void =>
        set((s) => ({ graphqlSchemas: { ...s.graphqlSchemas, [url]: state } }))
      put({ state: 'loading' })
      // graphql is loaded on first use, not with the window: it is 0.6 MB the first paint would wait on.
      const { buildClientSchema, getIntrospectionQuery } = await import('graphql')
      const draft = selectActiveDraft(get())
      const res = await client.invoke('graphql.send', {
        url,
        // Without descriptions of arguments' deprecation and the like: the plainest query most servers answer.
        query: getIntrospectionQuery({ descriptions: true }),
        operationName: 'IntrospectionQuery',
        transport: 'http',
        headers: draft.headers.filter((h) => h.name.trim() !== ''),
        ...get().sendScope(),
      })
      if (!res.ok) return put({ state: 'error', message: res.error.message })
      const text = await resultText(get, client, res.value.sid)
      if (typeof text !== 'string') return put({ state: 'error', message: text.message })
      try {
        const value = JSON.parse(text) as { data?: IntrospectionQuery; errors?: { message?: string }[] }
        if (!value.data?.__schema) {
          const why = value.errors?.[0]?.message ?? 'the answer has no schema'
          return put({ state: 'error', message: `Introspection failed: ${why}` })
        }
        put({ state: 'ready', schema: buildClientSchema(value.data), at: Date.now() })
      } catch (e) {
        put({
          state: 'error',
          message: `Introspection failed: ${e instanceof Error ? e.message : String(e)}`,
        })
      }
    },

    loadSchemaFile: async (path) => {
      const key = schemaFileKey(path)
      const put = (state: SchemaState): void =>
        set((s) => ({ graphqlSchemas: { ...s.graphqlSchemas, [key]: state } }))
      put({ state: 'loading' })
      const { context } = get().sendScope()
      const res = await client.invoke('graphql.schemaFile', {
        path: path.trim(),
        ...(context ? { context } : {}),
      })
      if (!res.ok) return put({ state: 'error', message: res.error.message })
      const { schemaFromSdl } = await import('../../shared/graphql-sdl')
      const built = schemaFromSdl(res.value.sdl, path.trim())
      put(
        built.ok
          ? { state: 'ready', schema: built.value, at: Date.now() }
          : { state: 'error', message: built.error.message },
      )
    },
  })
}

/** The body of the exchange `sid` once it is done (read from the engine), or why not. */
async function resultText(
  get: () => AppState,
  client: ApiClient,
  sid: string,
): Promise<string | { message: string }> {
  const started = Date.now()
  // Bounded in time: the row is checked every 50 ms for at most SCHEMA_WAIT_MS.
  while (Date.now() - started < SCHEMA_WAIT_MS) {
    const row = get().timeline.rows[sid]
    const t = row?.terminal
    if (t?.type === 'error') return { message: t.message }
    if (t?.type === 'cancelled') return { message: 'The introspection was cancelled' }
    if (t?.type === 'done') {
      let text = ''
      for (let offset = 0, i = 0; offset < t.body.size && i < 64; i++) {
        const r = await client.invoke('body.read', {
          bodyId: t.body.id,
          offset,
          length: READ_BYTES,
          encoding: 'utf8',
        })
        if (!r.ok) return { message: r.error.message }
        if (r.value.length === 0) break
        text += r.value.data
        offset += r.value.length
      }
      return text
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { message: `No answer to the introspection within ${SCHEMA_WAIT_MS / 1000} s` }
}
