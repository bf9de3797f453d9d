import type { StateCreator } from 'zustand/vanilla'
import { MAX_SEND_COUNT } from '../../shared/constants'
import type { ApiClient } from '../client/api-client'
import { toRequestSpec } from '../composer/composer-draft'
import { editAssertion, newAssertionRow, newExtractionRow, type RunDraft } from '../composer/run-draft'
import { paramsFromUrl, urlWithParams } from '../composer/url-params'
import { draftEdited, selectActiveDraft, withDraftChange, type DraftChange } from '../tabs/active-draft'
import { savedToDraft } from '../tabs/draft-convert'
import { withSavedOptions } from '../tabs/saved-options'
import { selectTabLiveSession } from '../streams/tab-session'
import { scriptsToSend } from '../scripts/script-draft'
import type { AppState, ComposerSlice } from './app-state'

/** The toolbar's Trace switch as a send's payload field (left out when off). */
export function traceFlag(s: Pick<AppState, 'traceSends'>): { trace?: true } {
  return s.traceSends ? { trace: true } : {}
}

export function clampCount(n: number): number {
  if (!Number.isFinite(n)) return 1
  return Math.min(MAX_SEND_COUNT, Math.max(1, Math.round(n)))
}

export function createComposerSlice(client: ApiClient): StateCreator<AppState, [], [], ComposerSlice> {
  return (set, get) => {
    const edit = (change: DraftChange): void =>
      set((s) => {
        const tabs = withDraftChange(s.tabs, s.activeTabId, change)
        if (tabs === s.tabs) return s
        // A "Not sent" is about the request as it was: once the person changes it, the words are stale.
        return s.sendError && draftEdited(s.tabs, tabs, s.activeTabId) ? { tabs, sendError: null } : { tabs }
      })
    const patchRun = (f: (run: RunDraft) => Partial<RunDraft>): void =>
      edit((d) => ({ run: { ...d.run, ...f(d.run) } }))
    return {
      sendCount: 10,
      sendError: null,
      editDraft: edit,
      setKind: (kind) => edit({ kind }),
      setMethod: (method) => edit({ method }),
      setUrl: (url) => edit((d) => ({ url, params: paramsFromUrl(url, d.params) })),
      setParams: (params) => edit((d) => ({ params, url: urlWithParams(d.url, params) })),
      setHeaders: (headers) => edit({ headers }),
      setBodyKind: (bodyKind) => edit({ bodyKind }),
      setTextBody: (p) => edit((d) => ({ text: { ...d.text, ...p } })),
      setJsonBody: (json) => edit({ json }),
      setFormFields: (form) => edit({ form }),
      setMultipartParts: (multipart) => edit({ multipart }),
      setFileBody: (p) => edit((d) => ({ file: { ...d.file, ...p } })),
      setOption: (key, value) => edit((d) => ({ options: { ...d.options, [key]: value } })),
      setAuth: (auth) => edit({ auth }),
      setProtocols: (protocols) => edit({ protocols }),
      setSseReconnect: (on) => edit({ sseReconnect: on }),
      setSendCount: (n) => set({ sendCount: clampCount(n) }),
      traceSends: false,
      setTraceSends: (on) => set({ traceSends: on }),
      openExternalLink: async (url) => {
        const r = await client.invoke('app.openExternal', { url })
        return r.ok ? null : r.error.message
      },
      addAssertion: (kind) => patchRun((r) => ({ assertions: [...r.assertions, newAssertionRow(kind)] })),
      updateAssertion: (id, p) =>
        patchRun((r) => ({ assertions: r.assertions.map((a) => (a.id === id ? editAssertion(a, p) : a)) })),
      removeAssertion: (id) => patchRun((r) => ({ assertions: r.assertions.filter((a) => a.id !== id) })),
      addExtraction: (from) => patchRun((r) => ({ extract: [...r.extract, newExtractionRow(from)] })),
      updateExtraction: (id, p) =>
        patchRun((r) => ({
          extract: r.extract.map((x) => {
            if (x.id !== id) return x
            // A new source kind starts its field afresh ("$." for a JSON path).
            if (p.from !== undefined && p.from !== x.from)
              return { ...newExtractionRow(p.from), id, name: p.name ?? x.name }
            return { ...x, ...p }
          }),
        })),
      removeExtraction: (id) => patchRun((r) => ({ extract: r.extract.filter((x) => x.id !== id) })),
      setRetry: (p) => patchRun((r) => ({ retry: { ...r.retry, ...p } })),
      setDependsOn: (paths) => patchRun(() => ({ dependsOn: paths.slice(0, 1000) })),
      setStop: (p) => patchRun((r) => ({ stop: { ...r.stop, ...p } })),
      send: async (count = 1) => {
        const opening = get().pendingOpen()
        if (opening) await opening
        // A WebSocket, MQTT or Socket.IO tab whose session lives shows Disconnect: Enter and Ctrl+Enter do not
        // open a second one behind it.
        if (selectTabLiveSession(get()) !== null) return
        const draft = selectActiveDraft(get())
        if (draft.kind === 'graphql') return get().sendGraphql()
        if (draft.kind === 'grpc') return get().invokeGrpc()
        // SSE and WebSocket requests open a stream session instead.
        if (draft.kind !== 'http') return get().openStream()
        const n = clampCount(count)
        const request = withSavedOptions(toRequestSpec(draft), get())
        // Sending never blocks the next send: fire-and-watch is the point of the tool.
        set({ sendError: null })
        // Variables are resolved and auth applied by the host, with the active tab's collection and environment.
        const scope = get().sendScope()
        // "After response": follow the job the request starts, or long-poll it (one request, then its lane).
        if (n === 1 && draft.after.mode !== 'none') {
          const sid = await get().sendFollowing(request, scope)
          if (sid !== null) get().select(sid)
          return
        }
        // The request's scripts run in the engine's sandbox around each send.
        const scripts = { ...scriptsToSend(draft.scripts), ...traceFlag(get()) }
        const res = await client.invoke(
          'request.send',
          n === 1 ? { request, ...scope, ...scripts } : { request, ...scope, ...scripts, count: n },
        )
        if (!res.ok) {
          set({ sendError: res.error })
          return
        }
        // What was just sent is what the person wants to look at next: a burst shows its first copy (the rest
        // are beside it on the timeline), not the row read before it.
        const first = res.value.sids[0]
        if (first !== undefined) get().selectSent(first)
      },
      completeFilePath: async (partial) => {
        const { context } = get().sendScope()
        const res = await client.invoke('draft.completePath', context ? { partial, context } : { partial })
        return res.ok ? res.value.entries : []
      },
      pickFile: async () => {
        const res = await client.invoke('draft.pickFile', {})
        return res.ok ? res.value.path : null
      },
      pasteCurl: async (text, into = 'current-tab') => {
        const res = await client.invoke('draft.fromCurl', { text })
        if (!res.ok) {
          if (into === 'new-tab') set({ importError: res.error.message })
          else set({ sendError: res.error })
          return false
        }
        if (into === 'new-tab') get().newTab()
        // The pasted request replaces what curl says (method, URL, headers, body, auth); what curl cannot say
        // (the request's kind, subprotocols, reconnect choice, Tests, After response, Scripts) stays the tab's.
        const {
          kind: _k,
          protocols: _p,
          sseReconnect: _r,
          run: _run,
          after: _a,
          scripts: _s,
          ...pasted
        } = savedToDraft(res.value.request)
        set({ sendError: null })
        edit(pasted)
        return true
      },
    }
  }
}
