import type { TimelineState } from './apply-batch'
import { groupDigits } from '../../shared/group-digits'
import type { StateCreator } from 'zustand/vanilla'
import type { HarFilesToChoose, HarImportResult, SnippetTarget } from '../../shared/body-view'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'

/**
 * Sessions as documents and as requests: HAR export (all, the rows shown, or the selected ones) and import,
 * "edit as new request" and code snippets. The engine writes and reads the HAR (it holds the request bodies
 * and the response bodies); the page only names the sessions and hands the file to the person.
 */
export type HarScope = 'all' | 'shown' | 'selected'

export interface HarSlice {
  /** Imported HARs by batch id, for naming their group. */
  importedBatches: ReadonlyMap<string, string>
  /**
   * Imported sessions whose multipart file parts came without their files, by session id: their row and details
   * say so, since Send refuses such a part until its file is chosen.
   */
  harFilesToChoose: ReadonlyMap<string, HarFilesToChoose['parts']>
  /** The last HAR or request action's outcome, in plain words. */
  harNote: { text: string; error: boolean } | null
  /** Credentials and secret values are redacted unless `includeSecrets` is set. */
  exportHar(scope: HarScope, shown: readonly string[], includeSecrets?: boolean): Promise<void>
  importHar(name: string, text: string): Promise<void>
  /** Open the session's request in a new composer tab, to edit and send again. */
  editAsNewRequest(sid: string): Promise<void>
  /** The request as code; null when it could not be written (the note says why). */
  sessionSnippet(sid: string, target: SnippetTarget): Promise<string | null>
  clearHarNote(): void
}

/**
 * The imported sessions still needing a file that are still on the timeline: a row Clear took away, or that fell
 * out of the timeline's window, takes its entry with it. The same map when none went.
 */
export function harFilesOnTimeline(
  files: HarSlice['harFilesToChoose'],
  rows: TimelineState['rows'],
): HarSlice['harFilesToChoose'] {
  if (files.size === 0) return files
  let kept: Map<string, HarFilesToChoose['parts']> | null = null
  for (const sid of files.keys()) {
    if (rows[sid] !== undefined) continue
    kept ??= new Map(files)
    kept.delete(sid)
  }
  return kept ?? files
}

/** Request headers the composer adds by itself; copying them into a new request would only duplicate them. */
const COMPOSER_DEFAULTS = new Set(['user-agent', 'accept-encoding'])

export function harFileName(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `flightdeck-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.har`
}

/** The sessions a scope names, in timeline order. */
export function scopeSids(
  scope: HarScope,
  order: readonly string[],
  shown: readonly string[],
  selected: string | null,
  marked: readonly string[],
): string[] {
  if (scope === 'all') return [...order]
  if (scope === 'shown') return [...shown]
  const picked = new Set([...marked, ...(selected === null ? [] : [selected])])
  return order.filter((sid) => picked.has(sid))
}

export function createHarSlice(client: ApiClient): StateCreator<AppState, [], [], HarSlice> {
  return (set, get) => ({
    importedBatches: new Map(),
    harFilesToChoose: new Map(),
    harNote: null,
    exportHar: async (scope, shown, includeSecrets = false) => {
      const s = get()
      const sids = harSids(
        s.timeline.rows,
        scopeSids(scope, s.timeline.order, shown, s.selectedSid, s.compareSids),
      )
      if (sids.length === 0) {
        set({ harNote: { text: 'Nothing to export', error: true } })
        return
      }
      const res = await client.invoke('har.export', { sids, ...(includeSecrets ? { includeSecrets } : {}) })
      if (!res.ok) {
        set({ harNote: { text: `Export failed: ${res.error.message}`, error: true } })
        return
      }
      const blob = new Blob([res.value.har], { type: 'application/json' })
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = harFileName(new Date())
      a.click()
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
      const missing = res.value.missing.length
      set({
        harNote: {
          text: `Exported ${groupDigits(res.value.entries)} request${res.value.entries === 1 ? '' : 's'}${missing > 0 ? ` (${groupDigits(missing)} no longer known)` : ''}${res.value.redacted ? ', credentials redacted' : ', credentials included'}`,
          error: false,
        },
      })
    },
    importHar: async (name, text) => {
      const res = await client.invoke('har.import', { text, name })
      if (!res.ok) {
        set({ harNote: { text: res.error.message, error: true } })
        return
      }
      const batches = new Map(get().importedBatches)
      batches.set(res.value.batchId, name)
      const skipped = res.value.skipped.length
      const toChoose = new Map(get().harFilesToChoose)
      for (const f of res.value.filesToChoose) {
        const sid = res.value.sids[f.index]
        if (sid !== undefined) toChoose.set(sid, f.parts)
      }
      set({
        importedBatches: batches,
        harFilesToChoose: toChoose,
        harNote: {
          text: `Imported ${groupDigits(res.value.sids.length)} from ${name}${skipped > 0 ? `, ${groupDigits(skipped)} skipped` : ''}${cutNote(res.value.cut)}${filesNote(res.value.filesToChoose)}`,
          error: false,
        },
      })
    },
    editAsNewRequest: async (sid) => {
      const res = await client.invoke('session.request', { sid })
      if (!res.ok) {
        set({ harNote: { text: res.error.message, error: true } })
        return
      }
      const r = res.value
      const s = get()
      s.newTab()
      s.setMethod(r.method)
      s.setUrl(r.url)
      const b = r.body
      s.setHeaders(
        r.headers.filter((h) => !COMPOSER_DEFAULTS.has(h.name.toLowerCase()) && !recordedBoundary(h, b)),
      )
      if (b.kind === 'json') s.setJsonBody(b.text)
      else if (b.kind === 'text') s.setTextBody({ text: b.text, contentType: b.contentType })
      else if (b.kind === 'form') s.setFormFields(b.fields)
      else if (b.kind === 'multipart') s.setMultipartParts(b.parts)
      else if (b.kind === 'file')
        s.setFileBody({ path: b.path, ...(b.contentType ? { contentType: b.contentType } : {}) })
      s.setBodyKind(b.kind)
      set({
        harNote: r.note
          ? { text: `${r.method} ${r.url} is in the composer. ${r.note}`, error: true }
          : { text: `${r.method} ${r.url} is in the composer`, error: false },
      })
    },
    sessionSnippet: async (sid, target) => {
      const res = await client.invoke('session.snippet', { sid, target })
      if (!res.ok) {
        set({ harNote: { text: res.error.message, error: true } })
        return null
      }
      return res.value.code
    },
    clearHarNote: () => set({ harNote: null }),
  })
}

/**
 * What HAR gets for a list of rows: each row's own exchange and the polls on its lane (a job's polls are HTTP
 * exchanges too); webhook calls are incoming requests, not exchanges this client made, so they stay out.
 */
export function harSids(rows: TimelineState['rows'], listed: readonly string[]): string[] {
  const out: string[] = []
  for (const sid of listed) {
    const row = rows[sid]
    if (!row || row.queued.kind === 'webhook') continue
    out.push(sid)
    for (const m of row.members ?? []) out.push(m)
  }
  return out
}

/**
 * A recorded `multipart/…` Content-Type beside a body kept as its parts: it names the recording's boundary, and
 * sent with the parts the engine writes (with a boundary of its own) the server could not split them. The body
 * brings its own type.
 */
function recordedBoundary(h: { name: string; value: string }, body: { kind: string }): boolean {
  return (
    body.kind === 'multipart' && h.name.toLowerCase() === 'content-type' && /^\s*multipart\//i.test(h.value)
  )
}

/** How many imported requests need a file chosen before they can be sent again. */
function filesNote(files: HarImportResult['filesToChoose']): string {
  const n = files.length
  if (n === 0) return ''
  const who = n === 1 ? `request ${(files[0]?.index ?? 0) + 1} has` : `${groupDigits(n)} requests have`
  return `; ${who} file parts recorded without their files (${n === 1 ? 'its details say' : 'their details say'} how to choose them)`
}

/** The first request a HAR import cut (a multipart body past its part limit), and how many more were. */
function cutNote(cut: HarImportResult['cut']): string {
  const [first] = cut
  if (!first) return ''
  return `; request ${first.index + 1}: ${first.reason}${cut.length > 1 ? ` (and ${cut.length - 1} more cut)` : ''}`
}
