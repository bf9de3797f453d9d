import type { StateCreator } from 'zustand'
import type { GraphqlTransport } from '../../shared/graphql'
import type { SavedGraphql } from '../../shared/graphql-saved'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { selectActiveDraft } from '../tabs/active-draft'
import { withSavedOptions } from '../tabs/saved-options'
import { toRequestSpec } from '../composer/composer-draft'
import { checkJsonText } from './graphql-variables'
import { schemaClient } from './schema-client'
import { introspectInto, workerKey } from './schema-loading'
import type { SchemaSummary } from './schema-protocol'

/**
 * The composer's GraphQL mode: the tab's document, variables, operation and transport live in the request's own
 * `graphql:` block (the tab's saved content, so a save writes them, opening a file brings them back, and an
 * edit marks the tab changed), its method is the request's; sending goes through `graphql.send`; schemas
 * fetched by introspection are cached per URL until refreshed. An introspection is a query like any other: its
 * row is on the timeline. Schemas live in the GraphQL schema worker (schema-client.ts): the store keeps what
 * the composer shows of them.
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

/** A schema held by the GraphQL schema worker under `key`, and what the composer shows of it. */
export interface LoadedSchema {
  key: string
  summary: SchemaSummary
  /** When it was loaded (ms since the epoch). */
  at: number
}

/**
 * A schema's state in the composer. A refresh or reload that fails keeps the schema loaded before it
 * (`previous`), so completion goes on working while the error says what happened; `attempts` counts the
 * failures in a row, so a retry that fails the same way still shows it tried.
 */
export type SchemaState =
  | { state: 'loading'; previous?: LoadedSchema }
  | ({ state: 'ready' } & LoadedSchema)
  | { state: 'error'; message: string; attempts: number; at: number; previous?: LoadedSchema }

/** The schema the composer uses in this state: the loaded one, or the one kept through a refresh. */
export function loadedSchema(state: SchemaState | undefined): LoadedSchema | null {
  if (!state) return null
  if (state.state === 'ready') return { key: state.key, summary: state.summary, at: state.at }
  return state.previous ?? null
}

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
        const tabs = s.tabs.map((t) =>
          t.id === s.activeTabId
            ? { ...t, extras: { ...t.extras, other: { ...t.extras.other, graphql } } }
            : t,
        )
        // A "Not sent" is about the operation as it was: an edit to its query, variables or options makes it stale.
        const changed = (Object.keys(rest) as (keyof typeof rest)[]).some((k) => rest[k] !== current[k])
        return s.sendError && changed ? { tabs, sendError: null } : { tabs }
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
        // Every option of the file, as a run's GraphQL step sends it: the Options tab's as set there, the others
        // (omitDefaultHeaders, timeouts, caFile, …) as saved. Over WebSocket only the TLS ones apply.
        options: withSavedOptions(toRequestSpec(draft), get()).options,
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
      if (known?.state === 'loading' || (known && !refresh && known.state !== 'error')) return
      const previous = loadedSchema(known)
      const attempts = known?.state === 'error' ? known.attempts + 1 : 1
      const put = (state: SchemaState): void =>
        set((s) => ({ graphqlSchemas: { ...s.graphqlSchemas, [url]: state } }))
      put(previous ? { state: 'loading', previous } : { state: 'loading' })
      // The one piece of graphql the page needs (a few KB, not the library): the worker does everything else.
      const { getIntrospectionQuery } = await import('graphql/utilities/getIntrospectionQuery')
      const draft = selectActiveDraft(get())
      const key = workerKey(url)
      try {
        const res = await client.invoke('graphql.send', {
          url,
          query: getIntrospectionQuery({ descriptions: true }),
          operationName: 'IntrospectionQuery',
          transport: 'http',
          headers: draft.headers.filter((h) => h.name.trim() !== ''),
          // The request's options (its CA file, TLS verification, timeouts…), as its operations go.
          options: withSavedOptions(toRequestSpec(draft), get()).options,
          ...get().sendScope(),
        })
        if (!res.ok) throw new Error(res.error.message)
        const summary = await introspectInto(get, client, res.value.sid, key)
        if (previous) void schemaClient().call('drop', { key: previous.key })
        put({ state: 'ready', key, summary, at: Date.now() })
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        put({ state: 'error', message, attempts, at: Date.now(), ...(previous ? { previous } : {}) })
      }
    },

    loadSchemaFile: async (path) => {
      const storeKey = schemaFileKey(path)
      const known = get().graphqlSchemas[storeKey]
      const previous = loadedSchema(known)
      const attempts = known?.state === 'error' ? known.attempts + 1 : 1
      const put = (state: SchemaState): void =>
        set((s) => ({ graphqlSchemas: { ...s.graphqlSchemas, [storeKey]: state } }))
      put(previous ? { state: 'loading', previous } : { state: 'loading' })
      const { context } = get().sendScope()
      const key = workerKey(storeKey)
      try {
        const res = await client.invoke('graphql.schemaFile', {
          path: path.trim(),
          ...(context ? { context } : {}),
        })
        if (!res.ok) throw new Error(res.error.message)
        const summary = await schemaClient().call('sdl', { key, sdl: res.value.sdl, source: path.trim() })
        if (previous) void schemaClient().call('drop', { key: previous.key })
        put({ state: 'ready', key, summary, at: Date.now() })
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        put({ state: 'error', message, attempts, at: Date.now(), ...(previous ? { previous } : {}) })
      }
    },
  })
}
