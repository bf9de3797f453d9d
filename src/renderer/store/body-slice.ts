import type { StateCreator } from 'zustand/vanilla'
import type { ApiClient } from '../client/api-client'
import {
  base64ToBytes,
  BODY_PAGE_BYTES,
  decodePage,
  isTextualContentType,
  looksBinary,
} from '../details/body-text'
import type { AppState, BodySlice, BodyView } from './app-state'

export function createBodySlice(client: ApiClient): StateCreator<AppState, [], [], BodySlice> {
  return (set, get) => {
    /** Read the page at `view.loaded` and append it, unless the person has moved on to another body meanwhile. */
    async function readPage(view: BodyView): Promise<void> {
      const length = Math.min(BODY_PAGE_BYTES, view.total - view.loaded)
      set({ body: { ...view, loading: true, error: null } })
      const res = await client.invoke('body.read', {
        bodyId: view.bodyId,
        offset: view.loaded,
        length,
        encoding: 'base64',
      })
      const current = get().body
      if (!current || current.bodyId !== view.bodyId || current.loaded !== view.loaded) return
      if (!res.ok) {
        set({ body: { ...current, loading: false, error: res.error } })
        return
      }
      const bytes = base64ToBytes(res.value.data)
      const total = res.value.total
      const isLast = view.loaded + bytes.length >= total || bytes.length === 0
      const textual = isTextualContentType(view.contentType)
      if (view.loaded === 0 && (textual === false || (textual === null && looksBinary(bytes)))) {
        set({ body: { ...current, total, binary: true, loading: false } })
        return
      }
      const page = decodePage(bytes, isLast)
      // Never stall on a page that decodes to nothing (a lone broken sequence): move past it.
      const consumed = page.consumed === 0 && bytes.length > 0 ? bytes.length : page.consumed
      set({
        body: {
          ...current,
          total,
          text: current.text + page.text,
          loaded: view.loaded + consumed,
          loading: false,
        },
      })
    }

    return {
      body: null,
      loadBody: async (sid) => {
        const row = get().timeline.rows[sid]
        // A response body, or what a webhook call brought in.
        const ref = row?.terminal?.type === 'done' ? row.terminal.body : row?.webhook?.body
        if (!ref) return
        const existing = get().body
        if (existing && existing.bodyId === ref.id) return
        const view: BodyView = {
          sid,
          bodyId: ref.id,
          contentType: ref.contentType,
          total: ref.size,
          loaded: 0,
          text: '',
          binary: false,
          loading: false,
          error: null,
        }
        if (ref.size === 0) {
          set({ body: view })
          return
        }
        await readPage(view)
      },
      loadMoreBody: async () => {
        const view = get().body
        if (!view || view.loading || view.binary || view.loaded >= view.total) return
        await readPage(view)
      },
    }
  }
}
