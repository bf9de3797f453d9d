import type { StateCreator } from 'zustand'
import type { SavedMessage } from '../../shared/collection'
import type { GrpcMethodInfo, GrpcSchemaInfo, GrpcSchemaSource } from '../../shared/grpc'
import type { GrpcRequest } from '../../shared/grpc-request'
import { grpcSendsMany } from '../../shared/grpc'
import type { AppError } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { activeCaFile, activeConnectOptions } from '../tabs/saved-options'
import { selectActiveDraft } from '../tabs/active-draft'
import { grpcMessages, grpcurlCommand } from './grpc-messages'

/**
 * The composer's gRPC mode: each tab's call (TLS or plaintext, where the schema comes from, the method, the
 * message text, the deadline), kept per tab for the window's life, the schema loaded from the server's
 * reflection or from .proto files (kept per target and source until loaded again), and the call's commands:
 * Invoke (`grpc.open`), a message more and the half-close on a client or bidi stream (`grpc.send`, `grpc.end`).
 * The target is the request line's URL, the metadata its Headers table and its Auth.
 */

/** The composer's view of the active tab's gRPC call (what GrpcComposer edits). */
export interface GrpcDraft {
  /** From the target: `grpc://` is plaintext; `grpcs://` or a bare host:port is TLS (as the file format says). */
  plaintext: boolean
  insecure: boolean
  source: 'reflection' | 'proto'
  /** Proto files and import paths, comma-separated (relative to the collection folder). */
  protoFiles: string
  importPaths: string
  method: string
  message: string
  /** Seconds; '' for none. */
  deadline: string
}

/** What is typed but not saved as typed: the source picked before any file is named, texts being edited. */
interface GrpcUi {
  source?: 'reflection' | 'proto'
  protoFiles?: string
  importPaths?: string
  deadline?: string
}

const NO_GRPC: GrpcRequest = { method: '' }
const NO_UI: GrpcUi = {}
const NO_MESSAGES: readonly SavedMessage[] = []

export type GrpcSchemaState =
  | { state: 'loading' }
  | { state: 'ready'; info: GrpcSchemaInfo & { notes: string[] } }
  | { state: 'error'; message: string }

export interface GrpcSlice {
  /** Per tab: what is typed but not saved as typed. The call itself lives in the tab (saved with it). */
  grpcUi: Readonly<Record<string, GrpcUi>>
  grpcSchemas: Readonly<Record<string, GrpcSchemaState>>
  /**
   * The calls this app left open for sending (client and bidi streams it invoked), by sid: only they get a Send
   * tab. Unary and server-streaming calls, and a run's calls, are half-closed when they start.
   */
  grpcSendable: Readonly<Record<string, true>>
  /** For a sendable call: where its schema is kept and its request type (the Send box's completion). */
  grpcSendTypes: Readonly<Record<string, { schemaKey: string; requestType: string }>>
  /** The tab each call was invoked from, by sid (the newest MAX_SENDABLE): what a tab's details show. */
  grpcCallTabs: Readonly<Record<string, string>>
  /**
   * Shown when a gRPC tab comes to the front: the details pane leaves a call another tab invoked (its failure
   * read as this tab's, not yet invoked) for this tab's newest call, or for nothing when it has none; with
   * nothing shown it shows this tab's newest call.
   */
  showTabGrpcCall(): void
  setGrpcDraft(patch: Partial<GrpcDraft>): void
  /** Load the active tab's schema (reflection or protos). */
  loadGrpcSchema(): Promise<void>
  /** Put the chosen method's request template ("fill with defaults") into the message editor. */
  fillGrpcTemplate(): Promise<void>
  invokeGrpc(): Promise<void>
  /**
   * The call as a grpcurl command. The schema is loaded first when it is not, so protos from the collection
   * (which the request itself does not name) are in it as grpcurl would find them from the collection folder.
   */
  grpcurlFor(): Promise<string>
  sendGrpcMessage(sid: string, text: string): Promise<AppError | null>
  endGrpc(sid: string): Promise<AppError | null>
}

/** Calls remembered as sendable: far more than a timeline shows open at once. */
const MAX_SENDABLE = 256

function keepNewest<T>(m: Record<string, T>, max: number): Record<string, T> {
  const keys = Object.keys(m)
  if (keys.length <= max) return m
  return Object.fromEntries(keys.slice(keys.length - max).map((k) => [k, m[k] as T]))
}

let memo: { inputs: readonly unknown[]; value: GrpcDraft } | null = null

/**
 * The active tab's call: its `grpc:` block and first message (in the tab, so Save writes them), its target's
 * scheme and TLS option (in the draft), and what is being typed. The same object while none of them changes
 * (a stable value for selectors).
 */
export function activeGrpcDraft(s: AppState): GrpcDraft {
  const tab = s.tabs.find((t) => t.id === s.activeTabId)
  const draft = selectActiveDraft(s)
  const saved = tab?.extras.other.grpc ?? NO_GRPC
  const messages = tab?.extras.messages ?? NO_MESSAGES
  const ui = s.grpcUi[s.activeTabId] ?? NO_UI
  const inputs = [saved, messages, ui, draft.url, draft.options.insecure]
  if (memo && memo.inputs.every((x, i) => x === inputs[i])) return memo.value
  const value: GrpcDraft = {
    plaintext: /^grpc:\/\//i.test(draft.url.trim()),
    insecure: draft.options.insecure,
    source: ui.source ?? (saved.proto !== undefined ? 'proto' : 'reflection'),
    protoFiles: ui.protoFiles ?? (saved.proto ?? []).join(', '),
    importPaths: ui.importPaths ?? (saved.importPaths ?? []).join(', '),
    method: saved.method,
    message: messages[0]?.text ?? '{}',
    deadline: ui.deadline ?? (saved.deadlineMs ? String(saved.deadlineMs / 1000) : ''),
  }
  memo = { inputs, value }
  return value
}

/** The active tab's saved `options.connectTimeoutMs`, when its file sets one. */
function savedConnectTimeout(s: AppState): { connectTimeoutMs?: number } {
  const limit = activeConnectOptions(s).connectTimeoutMs
  return limit === undefined ? {} : { connectTimeoutMs: limit }
}

/** The active tab's saved `grpc.maxMessageBytes`, when its file sets one. */
function savedMessageLimit(s: AppState): { maxMessageBytes?: number } {
  const limit = s.tabs.find((t) => t.id === s.activeTabId)?.extras.other.grpc?.maxMessageBytes
  return limit === undefined ? {} : { maxMessageBytes: limit }
}

/** The `grpc:` block a view says (paths as lists, the deadline in ms); the message limit is kept as it was. */
function savedOf(g: GrpcDraft, before: GrpcRequest): GrpcRequest {
  const seconds = Number(g.deadline)
  return {
    method: g.method,
    ...(g.source === 'proto' ? { proto: list(g.protoFiles), importPaths: list(g.importPaths) } : {}),
    ...(g.deadline.trim() !== '' && seconds > 0 ? { deadlineMs: Math.round(seconds * 1000) } : {}),
    ...(before.maxMessageBytes !== undefined ? { maxMessageBytes: before.maxMessageBytes } : {}),
  }
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
}

export function grpcSchemaSource(g: GrpcDraft): GrpcSchemaSource {
  return g.source === 'proto'
    ? { kind: 'proto', files: list(g.protoFiles), importPaths: list(g.importPaths) }
    : { kind: 'reflection' }
}

/** Where a loaded schema is kept: the target and the source. */
export function grpcSchemaKey(target: string, g: GrpcDraft): string {
  return JSON.stringify([target.trim(), g.plaintext, grpcSchemaSource(g)])
}

/** The chosen method's description, when the schema is loaded. */
export function pickedMethod(state: GrpcSchemaState | undefined, method: string): GrpcMethodInfo | null {
  if (state?.state !== 'ready') return null
  for (const s of state.info.services) for (const m of s.methods) if (m.full === method) return m
  return null
}

/** The active tab's collection and environment, for variables, inherited auth and proto paths. */
function contextOf(s: AppState): { context?: NonNullable<ReturnType<AppState['sendScope']>['context']> } {
  const { context } = s.sendScope()
  return context ? { context } : {}
}

export function createGrpcSlice(client: ApiClient): StateCreator<AppState, [], [], GrpcSlice> {
  const base = (s: AppState): { target: string; g: GrpcDraft } => ({
    target: selectActiveDraft(s).url.trim(),
    g: activeGrpcDraft(s),
  })
  const call = (s: AppState, g: GrpcDraft, target: string) => ({
    target,
    tls: {
      plaintext: g.plaintext,
      ...(g.insecure && !g.plaintext ? { insecure: true } : {}),
      // The saved request's CA file, as a run's gRPC step trusts it (confined to the collection by the engine).
      ...(g.plaintext ? {} : activeCaFile(s)),
    },
    metadata: selectActiveDraft(s).headers,
    // Its own or its folder's: sent as metadata, as a run's gRPC step sends it.
    auth: selectActiveDraft(s).auth,
    schema: grpcSchemaSource(g),
    ...contextOf(s),
  })
  return (set, get) => ({
    grpcUi: {},
    grpcSchemas: {},
    grpcSendable: {},
    grpcSendTypes: {},
    grpcCallTabs: {},

    showTabGrpcCall: () => {
      const s = get()
      const calls = s.grpcCallTabs
      const shown = s.selectedSid
      // A row of another kind (an HTTP request the person picked) stays: only another tab's call is replaced.
      if (shown !== null && (calls[shown] === undefined || calls[shown] === s.activeTabId)) return
      const own = Object.keys(calls).filter((sid) => calls[sid] === s.activeTabId && s.timeline.rows[sid])
      s.select(own.at(-1) ?? null)
    },

    setGrpcDraft: (patch) => {
      const s = get()
      const current = activeGrpcDraft(s)
      const next = { ...current, ...patch }
      if (patch.plaintext !== undefined && patch.plaintext !== current.plaintext) {
        const host = selectActiveDraft(s)
          .url.trim()
          .replace(/^[a-z]+:\/\//i, '')
        get().setUrl(`${patch.plaintext ? 'grpc' : 'grpcs'}://${host}`)
      }
      if (patch.insecure !== undefined) get().setOption('insecure', patch.insecure)
      const ui: GrpcUi = { ...(s.grpcUi[s.activeTabId] ?? NO_UI) }
      for (const k of ['source', 'protoFiles', 'importPaths', 'deadline'] as const) {
        if (patch[k] !== undefined) Object.assign(ui, { [k]: patch[k] })
      }
      set((st) => ({
        grpcUi: { ...st.grpcUi, [st.activeTabId]: ui },
        tabs: st.tabs.map((t) => {
          if (t.id !== st.activeTabId) return t
          const before = t.extras.other.grpc ?? NO_GRPC
          const messages =
            patch.message === undefined
              ? t.extras.messages
              : [
                  { name: t.extras.messages[0]?.name ?? 'message', text: next.message },
                  ...t.extras.messages.slice(1),
                ]
          return {
            ...t,
            extras: { ...t.extras, messages, other: { ...t.extras.other, grpc: savedOf(next, before) } },
          }
        }),
      }))
    },

    loadGrpcSchema: async () => {
      const { target, g } = base(get())
      if (target === '')
        return set({ sendError: { code: 'invalid_url', message: 'Enter the server as host:port' } })
      const key = grpcSchemaKey(target, g)
      set((s) => ({ grpcSchemas: { ...s.grpcSchemas, [key]: { state: 'loading' } } }))
      const r = await client.invoke('grpc.describe', call(get(), g, target))
      const next: GrpcSchemaState = r.ok
        ? { state: 'ready', info: r.value }
        : {
            state: 'error',
            message: r.error.detail ? `${r.error.message} (${r.error.detail})` : r.error.message,
          }
      set((s) => ({ grpcSchemas: { ...s.grpcSchemas, [key]: next } }))
      // The first method is picked when none is, so a server with one method is one click from Invoke.
      if (r.ok && activeGrpcDraft(get()).method === '') {
        const first = r.value.services[0]?.methods[0]
        if (first) get().setGrpcDraft({ method: first.full })
      }
    },

    fillGrpcTemplate: async () => {
      const { target, g } = base(get())
      if (g.method === '') return
      const r = await client.invoke('grpc.describe', { ...call(get(), g, target), method: g.method })
      if (!r.ok) return set({ sendError: r.error })
      if (r.value.template !== undefined) get().setGrpcDraft({ message: r.value.template })
    },

    invokeGrpc: async () => {
      const s = get()
      const { target, g } = base(s)
      set({ sendError: null })
      if (g.method === '') {
        return set({
          sendError: { code: 'invalid_request', message: 'Pick a method (load the schema first)' },
        })
      }
      const picked = pickedMethod(s.grpcSchemas[grpcSchemaKey(target, g)], g.method)
      const many = picked ? grpcSendsMany(picked.kind) : false
      const messages = grpcMessages(g.message, many)
      if (!messages.ok) return set({ sendError: messages.error })
      const deadline = Number(g.deadline)
      const r = await client.invoke('grpc.open', {
        ...call(s, g, target),
        method: g.method,
        messages: messages.value,
        // A client or bidi stream stays open: more messages and the half-close come from its Send tab.
        halfClose: !many,
        ...(g.deadline.trim() !== '' && deadline > 0 ? { deadlineMs: Math.round(deadline * 1000) } : {}),
        // The file's message limit and connect timeout (no control shows them), as a run's gRPC step takes them.
        ...savedMessageLimit(s),
        ...savedConnectTimeout(s),
      })
      if (!r.ok) return set({ sendError: r.error })
      const invokedFrom = s.activeTabId
      set((st) => ({
        grpcCallTabs: keepNewest({ ...st.grpcCallTabs, [r.value.sid]: invokedFrom }, MAX_SENDABLE),
      }))
      if (many && grpcSendsMany(r.value.method.kind)) {
        const sid = r.value.sid
        const types = { schemaKey: grpcSchemaKey(target, g), requestType: r.value.method.requestType }
        set((st) => ({
          grpcSendable: keepNewest({ ...st.grpcSendable, [sid]: true as const }, MAX_SENDABLE),
          grpcSendTypes: keepNewest({ ...st.grpcSendTypes, [sid]: types }, MAX_SENDABLE),
        }))
      }
      get().select(r.value.sid)
    },

    grpcurlFor: async () => {
      const { target, g } = base(get())
      const key = grpcSchemaKey(target, g)
      if (target !== '' && get().grpcSchemas[key]?.state !== 'ready') await get().loadGrpcSchema()
      const schema = get().grpcSchemas[key]
      const protos = schema?.state === 'ready' ? schema.info.protos : undefined
      const own = grpcSchemaSource(g)
      const draft = selectActiveDraft(get())
      const deadline = Number(g.deadline)
      // Variables filled and the Auth tab (its own or inherited) as metadata, as Copy as curl writes a request.
      const words = await client.invoke('grpc.grpcurl', {
        target,
        metadata: draft.headers,
        message: g.message,
        auth: draft.auth,
        ...contextOf(get()),
      })
      const typed = { target, metadata: draft.headers, message: g.message }
      const call = words.ok
        ? words.value
        : { ...typed, note: `# ${words.error.message}: variables and auth are left as typed` }
      return grpcurlCommand({
        target: call.target,
        ...(call.note ? { note: call.note } : {}),
        ...(call.basic !== undefined ? { basic: call.basic } : {}),
        plaintext: g.plaintext,
        insecure: g.insecure,
        // The saved request's CA file as the call trusts it: named from the collection folder, where it is run.
        ...(g.plaintext ? {} : activeCaFile(get())),
        metadata: call.metadata,
        protoFiles: protos?.files ?? (own.kind === 'proto' ? own.files : []),
        importPaths: protos?.importPaths ?? (own.kind === 'proto' ? own.importPaths : []),
        deadlineS: g.deadline.trim() !== '' && deadline > 0 ? deadline : null,
        method: g.method,
        message: call.message,
      })
    },

    sendGrpcMessage: async (sid, text) => {
      const r = await client.invoke('grpc.send', { sid, message: text, ...contextOf(get()) })
      return r.ok ? null : r.error
    },

    endGrpc: async (sid) => {
      const r = await client.invoke('grpc.end', { sid })
      return r.ok ? null : r.error
    },
  })
}
