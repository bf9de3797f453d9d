import {
  buildClientSchema,
  getIntrospectionQuery,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql'
import type { StateCreator } from 'zustand'
import type { GraphqlTransport } from '../../shared/graphql'
import type { AppError } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { selectActiveDraft } from '../tabs/active-draft'

/**
 * The composer's GraphQL mode: each tab's document, variables, operation and transport (kept per tab for the
 * window's life), sending through `graphql.send`, and schemas fetched by introspection, cached per URL until
 * refreshed. An introspection is a query like any other: its row is on the timeline.
 */

export interface GraphqlDraft {
  query: string
  variables: string
  operationName: string
  transport: GraphqlTransport
  method: 'POST' | 'GET'
  connectionParams: string
}

export const EMPTY_GRAPHQL: GraphqlDraft = {
  query: '',
  variables: '',
  operationName: '',
  transport: 'http',
  method: 'POST',
  connectionParams: '',
}

export type SchemaState =
  | { state: 'loading' }
  | { state: 'ready'; schema: GraphQLSchema; at: number }
  | { state: 'error'; message: string }

export interface GraphqlSlice {
  graphqlDrafts: Readonly<Record<string, GraphqlDraft>>
  graphqlSchemas: Readonly<Record<string, SchemaState>>
  setGraphqlDraft(patch: Partial<GraphqlDraft>): void
  sendGraphql(): Promise<void>
  /** Introspect `url` (again when `refresh`), keeping the schema for the URL. */
  fetchSchema(url: string, refresh?: boolean): Promise<void>
}

/** How long an introspection may take before the composer says it failed. */
const SCHEMA_WAIT_MS = 30_000
const READ_BYTES = 4 * 1024 * 1024

export function activeGraphqlDraft(s: Pick<AppState, 'graphqlDrafts' | 'activeTabId'>): GraphqlDraft {
  return s.graphqlDrafts[s.activeTabId] ?? EMPTY_GRAPHQL
}

export function createGraphqlSlice(client: ApiClient): StateCreator<AppState, [], [], GraphqlSlice> {
  return (set, get) => ({
    graphqlDrafts: {},
    graphqlSchemas: {},

    setGraphqlDraft: (patch) =>
      set((s) => ({
        graphqlDrafts: { ...s.graphqlDrafts, [s.activeTabId]: { ...activeGraphqlDraft(s), ...patch } },
      })),

    sendGraphql: async () => {
      const draft = selectActiveDraft(get())
      const g = activeGraphqlDraft(get())
      set({ sendError: null })
      const variables = jsonObject(g.variables, 'Variables')
      if (!variables.ok) return set({ sendError: variables.error })
      const params = jsonObject(g.connectionParams, 'Connection params')
      if (!params.ok) return set({ sendError: params.error })
      const res = await client.invoke('graphql.send', {
        url: draft.url,
        query: g.query,
        ...(variables.value ? { variables: variables.value } : {}),
        ...(g.operationName ? { operationName: g.operationName } : {}),
        transport: g.transport,
        method: g.method,
        headers: draft.headers.filter((h) => h.name.trim() !== ''),
        ...(params.value ? { connectionParams: params.value } : {}),
        options: { insecure: draft.options.insecure },
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
  })
}

function jsonObject(
  text: string,
  what: string,
): { ok: true; value: Record<string, unknown> | null } | { ok: false; error: AppError } {
  if (!text.trim()) return { ok: true, value: null }
  // {{variables}} are filled in by the engine: a text with them is checked there.
  if (text.includes('{{')) {
    return {
      ok: false,
      error: { code: 'invalid_request', message: `${what}: {{variables}} are not supported here yet` },
    }
  }
  try {
    const v: unknown = JSON.parse(text)
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return { ok: true, value: v as Record<string, unknown> }
  } catch (e) {
    return {
      ok: false,
      error: {
        code: 'invalid_request',
        message: `${what} are not JSON: ${e instanceof Error ? e.message : String(e)}`,
      },
    }
  }
  return { ok: false, error: { code: 'invalid_request', message: `${what} must be a JSON object` } }
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
