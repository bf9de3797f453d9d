import type { StateCreator } from 'zustand/vanilla'
import type { RequestContext, SavedMessage as RequestMessage } from '../../shared/collection'
import type { AppError, Result } from '../../shared/result'
import { DEFAULT_SSE_OPTIONS, DEFAULT_WS_OPTIONS, type StreamFilter } from '../../shared/streams'
import type { ApiClient } from '../client/api-client'
import { sseReconnectFor, toRequestSpec } from '../composer/composer-draft'
import type { AppState } from '../store/app-state'
import { selectActiveDraft } from '../tabs/active-draft'
import { assembleEntries, emptyAssembled, type Assembled } from './assemble'
import { EMPTY_LANES, type LaneMap } from './lane-ticks'
import { readWholeMessage } from './message-data'
import { emptyLogView, filterKey, MAX_WINDOW, readRange, type LogView } from './log-window'
import {
  loadSavedMessages,
  MAX_REQUEST_MESSAGES,
  requestMessageIndex,
  storeSavedMessages,
  type SavedMessage,
} from './saved-messages'

/**
 * Stream sessions in the renderer: their lanes (tick buckets, fed from timeline batches by the timeline
 * slice), how the composer opens them, the message log window of the selected session (read by range, never
 * the whole log), the WebSocket send box with saved messages, and the SSE assemble view.
 */

/**
 * How the composer opens streams, whichever tab is active. What belongs to one request (its kind, subprotocols
 * and SSE reconnect choice) is in its tab's draft.
 */
export interface StreamCompose {
  sseMaxRetries: number
  sseMode: 'auto' | 'sse' | 'ndjson' | 'chunks'
  wsReconnect: boolean
  /** Incoming WebSocket messages past this many MB are refused. */
  wsMaxMessageMb: number
}

export type WsSendKind = 'text' | 'json' | 'hex' | 'base64' | 'file'

export interface WsDraft {
  kind: WsSendKind
  data: string
  closeCode: number
  closeReason: string
}

/** Where a stream session came from: the tab's saved request (if any) and the scope its variables used. */
export interface StreamOrigin {
  /** The collection and request file, or null for an ad-hoc request. */
  dir: string | null
  path: string | null
  /** The scope the opening request resolved in; text messages sent on the session resolve in it too. */
  context?: RequestContext
  /** The request's saved messages as they were at open time (listed once its tab is closed). */
  messages: readonly RequestMessage[]
}

/** Origins remembered (the newest sessions'); older sessions fall back to per-URL messages. */
const MAX_ORIGINS = 500

export interface StreamsSlice {
  streamLanes: LaneMap
  streamCompose: StreamCompose
  logView: LogView | null
  wsDraft: WsDraft
  wsError: AppError | null
  /** Saved messages per WebSocket URL, for ad-hoc sessions (a saved request keeps its own in its file). */
  savedMessages: Readonly<Record<string, readonly SavedMessage[]>>
  /** Which request (and variable scope) each stream session was opened from. */
  streamOrigins: Readonly<Record<string, StreamOrigin>>
  assembled: (Assembled & { sid: string }) | null
  messageData: MessageData | null
  /**
   * Read a window of the selected message's data (MESSAGE_VIEW_BYTES from `offset`, default its start) when the
   * log window cut it; the view says which part it shows and offers the next and previous windows.
   */
  loadMessageData(sid: string, seq: number, offset?: number): Promise<void>
  /** Every byte of a message, read by range (to save it whole). */
  readWholeMessage(sid: string, seq: number): Promise<Result<Uint8Array[]>>
  setStreamCompose(patch: Partial<StreamCompose>): void
  /** Open an SSE or WebSocket session from the composer; the new lane is selected. */
  openStream(): Promise<void>
  /** Show `sid`'s log (a fresh window unless it is already shown). */
  showLog(sid: string): void
  /** Make sure rows `first..last` of the log (or of the filter's matches) are in the window. */
  readLog(first: number, last: number): Promise<void>
  /** Read the newest entries (follow mode, or "Jump to latest"). */
  readLogTail(rows: number): Promise<void>
  setLogFilter(filter: StreamFilter): void
  setLogFollow(follow: boolean): void
  selectLogEntry(seq: number | null): void
  setWsDraft(patch: Partial<WsDraft>): void
  sendWs(sid: string): Promise<void>
  pingWs(sid: string): Promise<void>
  closeWs(sid: string): Promise<void>
  /**
   * Keep the send box's message: in the session's saved request (its tab turns dirty; saving writes it to the
   * YAML) or, ad hoc, per URL in this browser.
   */
  saveWsMessage(sid: string, url: string, name: string): void
  removeSavedMessage(sid: string, url: string, id: string): void
  /** Put a saved message in the send box. */
  useSavedMessage(message: SavedMessage): void
  setAssemblePath(sid: string, path: string): void
  /** Fold newly arrived log entries into the assembled text (no-op when caught up or already reading). */
  pumpAssemble(): Promise<void>
}

export const DEFAULT_ASSEMBLE_PATH = 'choices[0].delta.content'

export function defaultStreamCompose(): StreamCompose {
  return {
    sseMaxRetries: DEFAULT_SSE_OPTIONS.maxRetries,
    sseMode: DEFAULT_SSE_OPTIONS.mode,
    wsReconnect: DEFAULT_WS_OPTIONS.reconnect,
    wsMaxMessageMb: DEFAULT_WS_OPTIONS.maxMessageBytes / (1024 * 1024),
  }
}

const SEND_KIND: Record<
  WsSendKind,
  { kind: 'text' | 'json' | 'binary'; encoding: 'utf8' | 'hex' | 'base64' }
> = {
  text: { kind: 'text', encoding: 'utf8' },
  json: { kind: 'json', encoding: 'utf8' },
  hex: { kind: 'binary', encoding: 'hex' },
  base64: { kind: 'binary', encoding: 'base64' },
  file: { kind: 'binary', encoding: 'utf8' },
}

/** The full data of the message open in the message view (read from the engine by range). */
export interface MessageData {
  sid: string
  seq: number
  /** Where in the message the bytes read start. */
  offset: number
  /** base64 of the bytes read. */
  base64: string
  length: number
  total: number
  error: AppError | null
}

/** Bytes of one message the message view reads at a time (its hex view shows the first 4 KB of them). */
export const MESSAGE_VIEW_BYTES = 512 * 1024

export function createStreamsSlice(client: ApiClient): StateCreator<AppState, [], [], StreamsSlice> {
  return (set, get) => {
    // One log read in flight at a time; a request that comes in meanwhile is kept (the latest wins) and run after.
    let reading = false
    let queued: (() => Promise<void>) | null = null
    const serial = async (run: () => Promise<void>): Promise<void> => {
      if (reading) {
        queued = run
        return
      }
      reading = true
      try {
        await run()
        for (let i = 0; i < 100 && queued; i++) {
          const next: () => Promise<void> = queued
          queued = null
          await next()
        }
      } finally {
        reading = false
      }
    }

    const readInto = async (sid: string, key: string, from: number, count: number): Promise<void> => {
      const view = get().logView
      if (!view || view.sid !== sid) return
      set({ logView: { ...view, loading: true } })
      const res = await client.invoke('stream.read', {
        sid,
        from,
        count: Math.max(1, Math.min(MAX_WINDOW, count)),
        maxData: 16 * 1024,
        ...(Object.keys(view.filter).length > 0 ? { filter: view.filter } : {}),
      })
      const now = get().logView
      // The person may have moved to another session or filter while this read was out.
      if (!now || now.sid !== sid || filterKey(now.filter) !== key) return
      if (!res.ok) {
        set({ logView: { ...now, loading: false, error: res.error } })
        return
      }
      set({
        logView: {
          ...now,
          from: res.value.from,
          entries: res.value.entries,
          total: res.value.total,
          complete: res.value.complete,
          loading: false,
          error: null,
        },
      })
    }

    let pumping = false

    /**
     * Change the messages of the saved request a session came from, in its open tab: the tab turns dirty and the
     * next save writes them to the file. An error (for the send box) when the tab is closed or the list is full.
     */
    const patchRequestMessages = (
      origin: StreamOrigin,
      change: (list: readonly RequestMessage[]) => RequestMessage[] | null,
    ): AppError | null => {
      const tab = get().tabs.find((t) => t.dir === origin.dir && t.path === origin.path)
      if (!tab) {
        return {
          code: 'not_found',
          message: `Open ${origin.path ?? 'the request'} to change its saved messages (they live in its file)`,
        }
      }
      const next = change(tab.extras.messages)
      if (!next) {
        return {
          code: 'invalid_request',
          message: `A request keeps at most ${MAX_REQUEST_MESSAGES} saved messages`,
        }
      }
      set((s) => ({
        tabs: s.tabs.map((t) => (t.id === tab.id ? { ...t, extras: { ...t.extras, messages: next } } : t)),
      }))
      return null
    }

    return {
      streamLanes: EMPTY_LANES,
      streamCompose: defaultStreamCompose(),
      logView: null,
      wsDraft: { kind: 'text', data: '', closeCode: 1000, closeReason: '' },
      wsError: null,
      savedMessages: loadSavedMessages(),
      streamOrigins: {},
      assembled: null,
      messageData: null,

      loadMessageData: async (sid, seq, offset = 0) => {
        const have = get().messageData
        if (have && have.sid === sid && have.seq === seq && have.offset === offset) return
        const res = await client.invoke('stream.data', {
          sid,
          seq,
          offset,
          length: MESSAGE_VIEW_BYTES,
          encoding: 'base64',
        })
        set({
          messageData: res.ok
            ? {
                sid,
                seq,
                offset,
                base64: res.value.data,
                length: res.value.length,
                total: res.value.total,
                error: null,
              }
            : { sid, seq, offset, base64: '', length: 0, total: 0, error: res.error },
        })
      },
      readWholeMessage: (sid, seq) => readWholeMessage(client, sid, seq),

      setStreamCompose: (patch) => set((s) => ({ streamCompose: { ...s.streamCompose, ...patch } })),

      openStream: async () => {
        const { streamCompose: o } = get()
        const composer = selectActiveDraft(get())
        set({ sendError: null })
        // Variables and auth as for an HTTP send: the tab's collection, request file and environment.
        const scope = get().sendScope()
        const tab = get().tabs.find((t) => t.id === get().activeTabId)
        const res =
          composer.kind === 'ws'
            ? await client.invoke('ws.open', {
                url: composer.url,
                headers: composer.headers.filter((h) => h.name.trim() !== ''),
                protocols: composer.protocols,
                options: {
                  reconnect: o.wsReconnect,
                  maxMessageBytes: Math.max(1, Math.round(o.wsMaxMessageMb * 1024 * 1024)),
                  insecure: composer.options.insecure,
                },
                ...scope,
              })
            : await client.invoke('sse.open', {
                request: toRequestSpec(composer),
                stream: {
                  reconnect: sseReconnectFor(composer),
                  maxRetries: o.sseMaxRetries,
                  mode: o.sseMode,
                },
                ...scope,
              })
        if (!res.ok) {
          set({ sendError: res.error })
          return
        }
        const saved = tab?.dir && tab.path ? { dir: tab.dir, path: tab.path } : null
        const origin: StreamOrigin = {
          dir: saved?.dir ?? null,
          path: saved?.path ?? null,
          ...(scope.context ? { context: scope.context } : {}),
          messages: saved && tab ? tab.extras.messages : [],
        }
        set((s) => {
          const entries = Object.entries(s.streamOrigins)
          const kept =
            entries.length >= MAX_ORIGINS ? entries.slice(entries.length - MAX_ORIGINS + 1) : entries
          return { streamOrigins: { ...Object.fromEntries(kept), [res.value.sid]: origin } }
        })
        get().select(res.value.sid)
      },

      showLog: (sid) => {
        if (get().logView?.sid === sid) return
        set({ logView: emptyLogView(sid), wsError: null })
      },

      readLog: async (first, last) => {
        const view = get().logView
        if (!view) return
        const { sid } = view
        const key = filterKey(view.filter)
        await serial(async () => {
          const v = get().logView
          if (!v || v.sid !== sid) return
          const total = Math.max(
            v.total,
            get().streamLanes[sid] ? (get().streamLanes[sid]?.lastSeq ?? -1) + 1 : 0,
          )
          const { from, count } = readRange(first, last, total || last + 1)
          await readInto(sid, key, from, count)
        })
      },

      readLogTail: async (rows) => {
        const view = get().logView
        if (!view) return
        const { sid } = view
        const key = filterKey(view.filter)
        await serial(async () => {
          const v = get().logView
          if (!v || v.sid !== sid) return
          const lane = get().streamLanes[sid]
          // Unfiltered, the lane knows the log's length; filtered, ask from the last known match count.
          const total = Object.keys(v.filter).length === 0 ? (lane?.lastSeq ?? -1) + 1 : Math.max(v.total, 1)
          const count = Math.min(MAX_WINDOW, rows + 20)
          await readInto(sid, key, Math.max(0, total - count), count)
          // A filtered scan learns the real match count only now: read the true tail if it moved.
          const after = get().logView
          if (after && after.sid === sid && after.total > after.from + after.entries.length) {
            await readInto(sid, key, Math.max(0, after.total - count), count)
          }
        })
      },

      setLogFilter: (filter) => {
        const view = get().logView
        if (!view) return
        const clean: StreamFilter = {}
        if (filter.text) clean.text = filter.text
        if (filter.dir) clean.dir = filter.dir
        if (filter.kinds && filter.kinds.length > 0) clean.kinds = filter.kinds
        if (filterKey(clean) === filterKey(view.filter)) return
        set({ logView: { ...emptyLogView(view.sid), filter: clean, follow: view.follow } })
      },
      setLogFollow: (follow) => {
        const view = get().logView
        if (view && view.follow !== follow) set({ logView: { ...view, follow } })
      },
      selectLogEntry: (selectedSeq) => {
        const view = get().logView
        if (view) set({ logView: { ...view, selectedSeq } })
      },

      setWsDraft: (patch) => set((s) => ({ wsDraft: { ...s.wsDraft, ...patch } })),
      sendWs: async (sid) => {
        const { wsDraft } = get()
        const how = SEND_KIND[wsDraft.kind]
        set({ wsError: null })
        // On a session opened from a collection, text messages resolve {{variables}} in the same scope.
        const context = get().streamOrigins[sid]?.context
        const res = await client.invoke(
          'ws.send',
          wsDraft.kind === 'file'
            ? { sid, kind: 'binary', path: wsDraft.data.trim() }
            : how.kind !== 'binary' && context
              ? { sid, kind: how.kind, data: wsDraft.data, encoding: how.encoding, resolve: true, context }
              : { sid, kind: how.kind, data: wsDraft.data, encoding: how.encoding },
        )
        if (!res.ok) set({ wsError: res.error })
      },
      pingWs: async (sid) => {
        set({ wsError: null })
        const res = await client.invoke('ws.ping', { sid })
        if (!res.ok) set({ wsError: res.error })
      },
      closeWs: async (sid) => {
        const { closeCode, closeReason } = get().wsDraft
        set({ wsError: null })
        const res = await client.invoke('ws.close', { sid, code: closeCode, reason: closeReason })
        if (!res.ok) set({ wsError: res.error })
      },
      saveWsMessage: (sid, url, name) => {
        const { wsDraft, savedMessages } = get()
        if (wsDraft.data === '') return
        const origin = get().streamOrigins[sid]
        if (origin?.path) {
          if (wsDraft.kind !== 'text' && wsDraft.kind !== 'json') {
            set({
              wsError: {
                code: 'invalid_request',
                message:
                  'A saved request keeps text and JSON messages only (its file holds text): hex, base64 and file messages are not saved with it',
              },
            })
            return
          }
          const label = name.trim() || wsDraft.data.slice(0, 40)
          const done = patchRequestMessages(origin, (list) =>
            list.length >= MAX_REQUEST_MESSAGES ? null : [...list, { name: label, text: wsDraft.data }],
          )
          set({ wsError: done })
          return
        }
        const list = savedMessages[url] ?? []
        const message: SavedMessage = {
          id: `m${Date.now().toString(36)}${list.length}`,
          name: name.trim() || wsDraft.data.slice(0, 40),
          kind: wsDraft.kind,
          data: wsDraft.data,
        }
        const next = { ...savedMessages, [url]: [...list, message].slice(-100) }
        set({ savedMessages: next })
        storeSavedMessages(next)
      },
      removeSavedMessage: (sid, url, id) => {
        const origin = get().streamOrigins[sid]
        if (origin?.path) {
          const at = requestMessageIndex(id)
          set({ wsError: patchRequestMessages(origin, (list) => list.filter((_, i) => i !== at)) })
          return
        }
        const { savedMessages } = get()
        const next = { ...savedMessages, [url]: (savedMessages[url] ?? []).filter((m) => m.id !== id) }
        set({ savedMessages: next })
        storeSavedMessages(next)
      },
      useSavedMessage: (m) => set((s) => ({ wsDraft: { ...s.wsDraft, kind: m.kind, data: m.data } })),

      setAssemblePath: (sid, path) => {
        const current = get().assembled
        if (current && current.sid === sid && current.path === path) return
        set({ assembled: { ...emptyAssembled(path), sid } })
        void get().pumpAssemble()
      },
      pumpAssemble: async () => {
        if (pumping) return
        pumping = true
        try {
          // Bounded: at most 200 pages (400,000 events) per call; the next message arriving calls again.
          for (let page = 0; page < 200; page++) {
            const a = get().assembled
            if (!a) return
            const lane = get().streamLanes[a.sid]
            if (!lane || a.nextSeq > lane.lastSeq) return
            const res = await client.invoke('stream.read', {
              sid: a.sid,
              from: a.nextSeq,
              count: 2000,
              maxData: 64 * 1024,
            })
            const now = get().assembled
            if (!res.ok || !now || now.sid !== a.sid || now.path !== a.path) return
            if (res.value.entries.length === 0) return
            set({ assembled: { ...assembleEntries(now, res.value.entries), sid: a.sid } })
          }
        } finally {
          pumping = false
        }
      },
    }
  }
}
