import type { StateCreator } from 'zustand/vanilla'
import { DEFAULT_SSE_OPTIONS, DEFAULT_WS_OPTIONS } from '../../shared/streams'
import type { ApiClient } from '../client/api-client'
import { sseReconnectFor, toRequestSpec } from '../composer/composer-draft'
import type { AppState } from '../store/app-state'
import { traceFlag } from '../store/composer-slice'
import { selectActiveDraft } from '../tabs/active-draft'
import { activeConnectOptions, withSavedOptions } from '../tabs/saved-options'
import { rememberOrigin, type StreamOrigin, type StreamOrigins } from './stream-origins'

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

/** Opening an SSE or WebSocket session from the composer, and remembering which request each came from. */
export interface StreamOpenSlice {
  streamCompose: StreamCompose
  /** Which request (and variable scope) each stream session was opened from. */
  streamOrigins: StreamOrigins
  setStreamCompose(patch: Partial<StreamCompose>): void
  /** Open an SSE or WebSocket session from the composer; the new lane is selected. */
  openStream(): Promise<void>
}

export function defaultStreamCompose(): StreamCompose {
  return {
    sseMaxRetries: DEFAULT_SSE_OPTIONS.maxRetries,
    sseMode: DEFAULT_SSE_OPTIONS.mode,
    wsReconnect: DEFAULT_WS_OPTIONS.reconnect,
    wsMaxMessageMb: DEFAULT_WS_OPTIONS.maxMessageBytes / (1024 * 1024),
  }
}

export function createStreamOpenSlice(client: ApiClient): StateCreator<AppState, [], [], StreamOpenSlice> {
  return (set, get) => ({
    streamCompose: defaultStreamCompose(),
    streamOrigins: {},

    setStreamCompose: (patch) => set((s) => ({ streamCompose: { ...s.streamCompose, ...patch } })),

    openStream: async () => {
      const { streamCompose: o } = get()
      const composer = selectActiveDraft(get())
      set({ sendError: null })
      // Variables and auth as for an HTTP send: the tab's collection, request file and environment.
      // The toolbar's Trace switch reaches a stream's handshake as it does a send (a `trace:` setting decides first).
      const scope = { ...get().sendScope(), ...traceFlag(get()) }
      const tab = get().tabs.find((t) => t.id === get().activeTabId)
      const res =
        composer.kind === 'mqtt' || composer.kind === 'socketio'
          ? await get().openMessaging()
          : composer.kind === 'ws'
            ? await client.invoke('ws.open', {
                url: composer.url,
                headers: composer.headers.filter((h) => h.name.trim() !== ''),
                protocols: composer.protocols,
                options: {
                  reconnect: o.wsReconnect,
                  maxMessageBytes: Math.max(1, Math.round(o.wsMaxMessageMb * 1024 * 1024)),
                  insecure: composer.options.insecure,
                  ...activeConnectOptions(get()),
                },
                ...scope,
              })
            : await client.invoke('sse.open', {
                request: withSavedOptions(toRequestSpec(composer), get()),
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
        ...(tab ? { tabId: tab.id } : {}),
        ...(scope.context ? { context: scope.context } : {}),
        messages: saved && tab ? tab.extras.messages : [],
      }
      set((s) => ({ streamOrigins: rememberOrigin(s.streamOrigins, res.value.sid, origin) }))
      get().select(res.value.sid)
    },
  })
}
