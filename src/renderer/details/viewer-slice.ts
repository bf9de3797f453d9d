import type { StateCreator } from 'zustand/vanilla'
import type { BodySearchMatch, BodyView } from '../../shared/body-view'
import type { AppError } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { MAX_BODY_READ } from '../../shared/constants'
import { base64ToBytes } from './body-text'
import { unfoldAround } from './fold-map'

/**
 * The response viewer: one body at a time, shown as pretty JSON or raw text, a window of lines fetched from
 * the engine as the person scrolls (`body.lines`), never the whole body. Pages of lines are cached up to a
 * bound; folds and the search live here too, so the components only draw.
 */

export const LINE_PAGE = 200
const MAX_PAGES = 60
const POLL_MS = 250

export type ViewerMode = 'pretty' | 'raw' | 'hex' | 'image'

export interface LinePage {
  lines: string[]
  closes: number[]
}

export interface ViewerSearch {
  query: string
  matches: BodySearchMatch[]
  /** Index of the current match in `matches`, or -1. */
  at: number
  /** More matches may follow past the first thousand. */
  more: boolean
  busy: boolean
}

export interface BodyViewerState {
  bodyId: string
  size: number
  contentType: string
  mode: ViewerMode
  /** Lines known so far in the current line view. */
  total: number
  complete: boolean
  /** The body is not JSON (pretty view impossible); where parsing stopped. */
  invalid: { message: string; offset: number } | null
  /** Pretty view: lines nested past `levels` are indented as at `levels` (the view says so). */
  indentCap: { levels: number; deepest: number } | null
  pages: ReadonlyMap<number, LinePage>
  folds: ReadonlyMap<number, number>
  search: ViewerSearch | null
  error: AppError | null
  /** Bumped to ask the list to scroll to `scrollLine`. */
  scrollSeq: number
  scrollLine: number
  /** Hex view: pages of HEX_PAGE bytes. */
  hex: ReadonlyMap<number, Uint8Array>
  /** Image preview: an object URL of the whole body, once read. */
  imageUrl: string | null
}

export interface ViewerSlice {
  viewer: BodyViewerState | null
  /** Pretty and Raw wrap long lines at the pane's width (else they scroll sideways); remembered. */
  wrapLines: boolean
  setWrapLines(on: boolean): void
  /** What the last "save to file" did, for the body it was about. */
  saveNote: { bodyId: string; text: string } | null
  /** Show a body (no-op when it is already shown). `mode` defaults to pretty for JSON, raw otherwise. */
  openBody(bodyId: string, size: number, contentType: string, mode: ViewerMode): void
  closeBody(): void
  setViewerMode(mode: ViewerMode): void
  /** Make sure the lines [from, to) are loaded (the list calls this for what is on screen). */
  ensureLines(from: number, to: number): Promise<void>
  toggleFold(line: number): void
  searchBody(query: string): Promise<void>
  /** Next (+1) or previous (-1) match; scrolls to it. */
  stepMatch(delta: number): void
  /** Hex view: make sure the bytes of rows [from, to) (16 bytes a row) are loaded. */
  ensureHex(from: number, to: number): Promise<void>
  loadImage(): Promise<void>
  /**
   * "Save to file": the desktop host asks where and writes it; the browser host downloads it. `suggestedName`
   * names the file.
   */
  saveBody(suggestedName: string, bodyId?: string): Promise<void>
}

export const HEX_ROW = 16
export const HEX_PAGE = 4096
/** Images up to this size are previewed. */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024

const WRAP_KEY = 'flightdeck.wrapLines'

/** The wrap choice the person last made (a UI preference in the page's storage); off until they choose. */
function rememberedWrap(): boolean {
  try {
    return globalThis.localStorage?.getItem(WRAP_KEY) === 'on'
  } catch {
    return false
  }
}

function rememberWrap(on: boolean): void {
  try {
    globalThis.localStorage?.setItem(WRAP_KEY, on ? 'on' : 'off')
  } catch {
    // Storage may be full or refused (a sandboxed page): the choice then lasts for this page only.
  }
}

export function createViewerSlice(client: ApiClient): StateCreator<AppState, [], [], ViewerSlice> {
  return (set, get) => {
    const inflight = new Set<string>()
    let pollTimer: ReturnType<typeof setTimeout> | null = null

    const patch = (bodyId: string, p: Partial<BodyViewerState>): void => {
      const v = get().viewer
      if (v && v.bodyId === bodyId) set({ viewer: { ...v, ...p } })
    }

    const lineView = (mode: ViewerMode): BodyView | null =>
      mode === 'pretty' ? 'pretty' : mode === 'raw' ? 'raw' : null

    async function loadPage(bodyId: string, mode: ViewerMode, page: number): Promise<void> {
      const view = lineView(mode)
      if (!view) return
      const key = `${bodyId}:${view}:${page}`
      if (inflight.has(key)) return
      inflight.add(key)
      try {
        const res = await client.invoke('body.lines', {
          bodyId,
          view,
          from: page * LINE_PAGE,
          count: LINE_PAGE,
        })
        const v = get().viewer
        if (!v || v.bodyId !== bodyId || v.mode !== mode) return
        if (!res.ok) {
          set({ viewer: { ...v, error: res.error } })
          return
        }
        const r = res.value
        if (view === 'pretty' && r.invalid) {
          // Not JSON: say so once and show the text as it is.
          set({
            viewer: { ...v, mode: 'raw', invalid: r.invalid, pages: new Map(), folds: new Map(), total: 0 },
          })
          void loadPage(bodyId, 'raw', 0)
          return
        }
        const pages = new Map(v.complete === r.complete ? v.pages : [])
        pages.delete(page)
        pages.set(page, { lines: r.lines, closes: r.closes })
        while (pages.size > MAX_PAGES) {
          const oldest = pages.keys().next().value
          if (oldest === undefined) break
          pages.delete(oldest)
        }
        const indentCap = r.indentCap ?? null
        set({ viewer: { ...v, pages, total: r.total, complete: r.complete, error: null, indentCap } })
        if (!r.complete) schedulePoll(bodyId, mode)
      } finally {
        inflight.delete(key)
      }
    }

    /** While the engine is still indexing, ask again now and then so the line count (and folds) catch up. */
    function schedulePoll(bodyId: string, mode: ViewerMode): void {
      if (pollTimer) return
      pollTimer = setTimeout(() => {
        pollTimer = null
        const v = get().viewer
        if (!v || v.bodyId !== bodyId || v.mode !== mode || v.complete) return
        void loadPage(bodyId, mode, Math.max(0, Math.floor((v.total - 1) / LINE_PAGE)))
      }, POLL_MS)
    }

    return {
      viewer: null,
      saveNote: null,
      wrapLines: rememberedWrap(),
      setWrapLines: (on) => {
        rememberWrap(on)
        set({ wrapLines: on })
      },
      openBody: (bodyId, size, contentType, mode) => {
        const v = get().viewer
        if (v && v.bodyId === bodyId) return
        set({
          viewer: {
            bodyId,
            size,
            contentType,
            mode,
            total: 0,
            complete: false,
            invalid: null,
            indentCap: null,
            pages: new Map(),
            folds: new Map(),
            search: null,
            error: null,
            scrollSeq: 0,
            scrollLine: 0,
            hex: new Map(),
            imageUrl: null,
          },
        })
        if (v?.imageUrl) URL.revokeObjectURL(v.imageUrl)
        void loadPage(bodyId, mode, 0)
      },
      closeBody: () => {
        const v = get().viewer
        if (v?.imageUrl) URL.revokeObjectURL(v.imageUrl)
        set({ viewer: null })
      },
      setViewerMode: (mode) => {
        const v = get().viewer
        if (!v || v.mode === mode) return
        set({
          viewer: {
            ...v,
            mode,
            pages: new Map(),
            folds: new Map(),
            total: 0,
            complete: false,
            search: null,
            indentCap: null,
          },
        })
        void loadPage(v.bodyId, mode, 0)
      },
      ensureLines: async (from, to) => {
        const v = get().viewer
        if (!v || !lineView(v.mode)) return
        const first = Math.floor(Math.max(0, from) / LINE_PAGE)
        const last = Math.floor(Math.max(0, to - 1) / LINE_PAGE)
        const loads: Promise<void>[] = []
        for (let p = first; p <= last && p - first < 20; p++) {
          if (!v.pages.has(p)) loads.push(loadPage(v.bodyId, v.mode, p))
        }
        await Promise.all(loads)
      },
      toggleFold: (line) => {
        const v = get().viewer
        if (!v) return
        const page = v.pages.get(Math.floor(line / LINE_PAGE))
        const close = page?.closes[line % LINE_PAGE] ?? -1
        const folds = new Map(v.folds)
        if (folds.has(line)) folds.delete(line)
        else if (close > line) folds.set(line, close)
        else return
        set({ viewer: { ...v, folds } })
      },
      searchBody: async (query) => {
        const v = get().viewer
        const view = v ? lineView(v.mode) : null
        if (!v || !view) return
        if (query === '') {
          set({ viewer: { ...v, search: null } })
          return
        }
        set({ viewer: { ...v, search: { query, matches: [], at: -1, more: false, busy: true } } })
        const res = await client.invoke('body.search', { bodyId: v.bodyId, view, query })
        const now = get().viewer
        if (!now || now.bodyId !== v.bodyId || now.search?.query !== query) return
        if (!res.ok) {
          set({ viewer: { ...now, error: res.error, search: { ...now.search, busy: false } } })
          return
        }
        const matches = res.value.matches
        set({
          viewer: {
            ...now,
            search: {
              query,
              matches,
              at: matches.length > 0 ? 0 : -1,
              more: res.value.next !== null,
              busy: false,
            },
          },
        })
        if (matches.length > 0) get().stepMatch(0)
      },
      ensureHex: async (from, to) => {
        const v = get().viewer
        if (!v) return
        const first = Math.floor((from * HEX_ROW) / HEX_PAGE)
        const last = Math.floor((Math.max(from + 1, to) * HEX_ROW - 1) / HEX_PAGE)
        for (let p = first; p <= last && p - first < 8; p++) {
          if (v.hex.has(p) || p * HEX_PAGE >= v.size) continue
          const key = `${v.bodyId}:hex:${p}`
          if (inflight.has(key)) continue
          inflight.add(key)
          try {
            const length = Math.min(HEX_PAGE, v.size - p * HEX_PAGE)
            const res = await client.invoke('body.read', {
              bodyId: v.bodyId,
              offset: p * HEX_PAGE,
              length,
              encoding: 'base64',
            })
            const now = get().viewer
            if (!now || now.bodyId !== v.bodyId) return
            if (!res.ok) {
              set({ viewer: { ...now, error: res.error } })
              return
            }
            const hex = new Map(now.hex)
            hex.set(p, base64ToBytes(res.value.data))
            while (hex.size > 64) {
              const oldest = hex.keys().next().value
              if (oldest === undefined) break
              hex.delete(oldest)
            }
            set({ viewer: { ...now, hex } })
          } finally {
            inflight.delete(key)
          }
        }
      },
      loadImage: async () => {
        const v = get().viewer
        if (!v || v.imageUrl || v.size > MAX_IMAGE_BYTES) return
        const parts: Uint8Array[] = []
        for (let offset = 0; offset < v.size;) {
          const res = await client.invoke('body.read', {
            bodyId: v.bodyId,
            offset,
            length: Math.min(MAX_BODY_READ, v.size - offset),
            encoding: 'base64',
          })
          if (!res.ok) {
            patch(v.bodyId, { error: res.error })
            return
          }
          const bytes = base64ToBytes(res.value.data)
          if (bytes.length === 0) break
          parts.push(bytes)
          offset += bytes.length
        }
        const now = get().viewer
        if (!now || now.bodyId !== v.bodyId || now.imageUrl) return
        const blob = new Blob(parts as BlobPart[], { type: v.contentType.split(';')[0]?.trim() || 'image/*' })
        set({ viewer: { ...now, imageUrl: URL.createObjectURL(blob) } })
      },
      saveBody: async (suggestedName, bodyId) => {
        const id = bodyId ?? get().viewer?.bodyId
        if (id === undefined) return
        const note = (text: string): void => set({ saveNote: { bodyId: id, text } })
        const res = await client.invoke('body.save', { bodyId: id, suggestedName })
        if (get().info?.capabilities.downloads === true) {
          // The browser host's bridge starts a download instead; the bytes never pass through this page.
          note(res.ok ? `Downloading ${suggestedName}` : `Could not download: ${res.error.message}`)
          return
        }
        if (!res.ok) note(`Could not save: ${res.error.message}`)
        else if (res.value.path !== null) note(`Saved to ${res.value.path}`)
      },
      stepMatch: (delta) => {
        const v = get().viewer
        const s = v?.search
        if (!v || !s || s.matches.length === 0) return
        const n = s.matches.length
        const at = (((s.at + delta) % n) + n) % n
        const line = s.matches[at]?.line ?? 0
        patch(v.bodyId, {
          search: { ...s, at },
          folds: unfoldAround(v.folds, line),
          scrollSeq: v.scrollSeq + 1,
          scrollLine: line,
        })
      },
    }
  }
}
