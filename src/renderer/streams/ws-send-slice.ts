import type { StateCreator } from 'zustand/vanilla'
import type { SavedMessage as RequestMessage } from '../../shared/collection'
import type { AppError } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import {
  loadSavedMessages,
  MAX_REQUEST_MESSAGES,
  requestMessageIndex,
  storeSavedMessages,
  type SavedMessage,
} from './saved-messages'
import type { StreamOrigin } from './stream-origins'

export type WsSendKind = 'text' | 'json' | 'hex' | 'base64' | 'file'

export interface WsDraft {
  kind: WsSendKind
  data: string
  closeCode: number
  closeReason: string
}

/** The WebSocket send box: the message being written, send / ping / close, and the saved messages. */
export interface WsSendSlice {
  wsDraft: WsDraft
  wsError: AppError | null
  /** Saved messages per WebSocket URL, for ad-hoc sessions (a saved request keeps its own in its file). */
  savedMessages: Readonly<Record<string, readonly SavedMessage[]>>
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

export function createWsSendSlice(client: ApiClient): StateCreator<AppState, [], [], WsSendSlice> {
  return (set, get) => {
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
      wsDraft: { kind: 'text', data: '', closeCode: 1000, closeReason: '' },
      wsError: null,
      savedMessages: loadSavedMessages(),

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
    }
  }
}
