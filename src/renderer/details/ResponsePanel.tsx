import { useEffect, useState } from 'react'
import { MAX_VIEWABLE_BODY } from '../../shared/body-view'
import { formatBytes } from '../../shared/format'
import { groupDigits } from '../../shared/group-digits'
import { useAppStore } from '../store/store-context'
import type { SessionRow } from '../timeline/session-row'
import { isJsonContentType, isTextualContentType } from './body-text'
import { CopyNote } from './CopyNote'
import { ErrorBox } from './ErrorBox'
import { HexViewer } from './HexViewer'
import { IndentCapNote } from './IndentCapNote'
import { LineViewer } from './LineViewer'
import { MAX_IMAGE_BYTES, type BodyViewerState, type ViewerMode } from './viewer-slice'
import { GraphqlErrors } from '../graphql/GraphqlErrors'

/** The first view of a body: pretty for JSON (and anything unlabelled), image, hex for binary, else raw. */
export function defaultMode(contentType: string, size: number): ViewerMode {
  if (/^image\//i.test(contentType) && size <= MAX_IMAGE_BYTES) return 'image'
  if (isJsonContentType(contentType)) return 'pretty'
  const textual = isTextualContentType(contentType)
  if (textual === false) return 'hex'
  return textual === null ? 'pretty' : 'raw'
}

/** A file name for "save to file": the URL's last path segment, or the body id. */
export function suggestedFileName(url: string, bodyId: string, contentType: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)
  const last = (m?.[1] ?? '').split('/').filter(Boolean).pop() ?? ''
  const clean = last.replace(/[^\w.-]+/g, '_').slice(0, 100)
  if (clean.includes('.')) return clean
  const ext = isJsonContentType(contentType) ? '.json' : /^text\//i.test(contentType) ? '.txt' : '.bin'
  return `${clean || bodyId}${ext}`
}

/** The response body: pretty JSON with folding, raw text, hex, image; search; save to file. */
export function ResponsePanel({ row }: { row: SessionRow }) {
  const done = row.terminal?.type === 'done' ? row.terminal : null
  const ref = done?.body
  const viewer = useAppStore((s) => (s.viewer && ref && s.viewer.bodyId === ref.id ? s.viewer : null))
  const openBody = useAppStore((s) => s.openBody)
  const saveBody = useAppStore((s) => s.saveBody)

  const viewable = ref !== undefined && ref.size > 0 && ref.size <= MAX_VIEWABLE_BODY
  useEffect(() => {
    if (ref && viewable) openBody(ref.id, ref.size, ref.contentType, defaultMode(ref.contentType, ref.size))
  }, [ref, viewable, openBody])

  if (row.terminal?.type === 'error') return <ErrorBox error={row.terminal} />
  if (!done || !ref) {
    const why =
      row.state === 'cancelled'
        ? 'Cancelled: no body was kept.'
        : row.terminal?.type === 'redirect'
          ? 'A redirect hop: the body is on the next hop.'
          : 'The body is shown once the response has finished.'
    return <p className="muted body-note">{why}</p>
  }
  const fileName = suggestedFileName(row.queued.url, ref.id, ref.contentType)
  if (ref.size === 0) return <p className="muted body-note">Empty body.</p>
  if (!viewable) {
    return (
      <div className="body-panel big-body">
        <p>
          This body is <strong>{formatBytes(ref.size)}</strong>
          {ref.contentType ? ` (${ref.contentType})` : ''}: too large to show here. Save it to a file to open
          it with another tool.
        </p>
        <button type="button" className="primary-button" onClick={() => void saveBody(fileName, ref.id)}>
          Save to file…
        </button>
        <SaveNote bodyId={ref.id} />
      </div>
    )
  }
  if (!viewer) return <p className="muted body-note">Loading…</p>
  return (
    <>
      <GraphqlErrors row={row} />
      <BodyViewer fileName={fileName} />
    </>
  )
}

function BodyViewer({ fileName }: { fileName: string }) {
  const viewer = useAppStore((s) => s.viewer)
  const setMode = useAppStore((s) => s.setViewerMode)
  const saveBody = useAppStore((s) => s.saveBody)
  const copyBody = useAppStore((s) => s.copyBody)
  const wrap = useAppStore((s) => s.wrapLines)
  const setWrap = useAppStore((s) => s.setWrapLines)
  if (!viewer) return null
  const image = /^image\//i.test(viewer.contentType) && viewer.size <= MAX_IMAGE_BYTES
  const modes: [ViewerMode, string][] = [
    ['pretty', 'Pretty'],
    ['raw', 'Raw'],
    ['hex', 'Hex'],
    ...(image ? ([['image', 'Image']] as [ViewerMode, string][]) : []),
  ]
  return (
    <div className="body-panel viewer">
      <div className="body-meta">
        <span className="segmented small" role="group" aria-label="Body view">
          {modes.map(([m, label]) => (
            <button
              key={m}
              type="button"
              className={viewer.mode === m ? 'segment active' : 'segment'}
              aria-pressed={viewer.mode === m}
              disabled={m === 'pretty' && viewer.invalid !== null}
              onClick={() => setMode(m)}
            >
              {label}
            </button>
          ))}
        </span>
        <span className="mono small muted">{viewer.contentType || 'no content type'}</span>
        <span className="num small">{formatBytes(viewer.size)}</span>
        {(viewer.mode === 'pretty' || viewer.mode === 'raw') && !unread(viewer) ? (
          <span className="num small muted">{lineCount(viewer.total, viewer.complete)}</span>
        ) : null}
        {viewer.mode === 'pretty' || viewer.mode === 'raw' ? (
          <span className="segmented small">
            <button
              type="button"
              className={wrap ? 'segment active' : 'segment'}
              aria-pressed={wrap}
              title={wrap ? 'Long lines wrap at the pane’s width' : 'Long lines scroll sideways'}
              onClick={() => setWrap(!wrap)}
            >
              Wrap
            </button>
          </span>
        ) : null}
        {viewer.mode === 'pretty' || viewer.mode === 'raw' ? <SearchBar /> : null}
        <span className="spacer" />
        {/* One group, so a narrow pane wraps Copy and Save… together, never one of them alone. */}
        <span className="body-actions">
          <button
            type="button"
            className="secondary-button small"
            title="Copy the whole body, as received"
            onClick={() => void copyBody(viewer.bodyId, viewer.size)}
          >
            Copy
          </button>
          <button
            type="button"
            className="secondary-button small"
            onClick={() => void saveBody(fileName, viewer.bodyId)}
          >
            Save…
          </button>
        </span>
      </div>
      <CopyNote bodyId={viewer.bodyId} />
      <IndentCapNote />
      {viewer.invalid && viewer.mode === 'raw' ? (
        <p className="muted small body-note">
          Not JSON ({viewer.invalid.message}): showing the text as it arrived.
        </p>
      ) : null}
      {viewer.error ? (
        <div className="error-box" role="alert">
          {viewer.error.message}
        </div>
      ) : null}
      <SaveNote bodyId={viewer.bodyId} />
      {viewer.mode === 'hex' ? (
        <HexViewer />
      ) : viewer.mode === 'image' ? (
        <ImagePreview />
      ) : unread(viewer) ? (
        <p className="muted body-note" role="status">
          Reading the body…
        </p>
      ) : (
        <LineViewer />
      )}
    </div>
  )
}

/** The body's line count as far as it is known: "12,345 lines…" while the engine is still counting. */
export function lineCount(total: number, complete: boolean): string {
  return `${groupDigits(total)} line${total === 1 ? '' : 's'}${complete ? '' : '…'}`
}

/**
 * Nothing of the body's lines has arrived yet (under a burst, a while) and nothing went wrong reading them: the
 * list says it is being read, where "0 lines…" over an empty list read as an empty body.
 */
export function unread(viewer: Pick<BodyViewerState, 'total' | 'complete' | 'error'>): boolean {
  return viewer.total === 0 && !viewer.complete && viewer.error === null
}

function SearchBar() {
  const search = useAppStore((s) => s.viewer?.search ?? null)
  const searchBody = useAppStore((s) => s.searchBody)
  const stepMatch = useAppStore((s) => s.stepMatch)
  const [text, setText] = useState(search?.query ?? '')
  const count = search?.matches.length ?? 0
  return (
    <div className="body-search">
      <input
        type="search"
        aria-label="Search in body"
        placeholder="Search in body"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return
          e.preventDefault()
          if (search && search.query === text) stepMatch(e.shiftKey ? -1 : 1)
          else void searchBody(text)
        }}
      />
      <button type="button" className="icon-button" aria-label="Previous match" onClick={() => stepMatch(-1)}>
        ↑
      </button>
      <button type="button" className="icon-button" aria-label="Next match" onClick={() => stepMatch(1)}>
        ↓
      </button>
      <span className="small muted num" aria-live="polite">
        {search
          ? search.busy
            ? 'searching…'
            : count === 0
              ? 'no matches'
              : `${search.at + 1} of ${count}${search.more ? '+' : ''}`
          : ''}
      </span>
    </div>
  )
}

function ImagePreview() {
  const url = useAppStore((s) => s.viewer?.imageUrl ?? null)
  const loadImage = useAppStore((s) => s.loadImage)
  useEffect(() => {
    void loadImage()
  }, [loadImage])
  if (!url) return <p className="muted body-note">Loading the image…</p>
  return (
    <div className="image-preview">
      <img src={url} alt="Response body" />
    </div>
  )
}

function SaveNote({ bodyId }: { bodyId: string }) {
  const note = useAppStore((s) => (s.saveNote?.bodyId === bodyId ? s.saveNote.text : null))
  return note ? (
    <p className="muted small body-note" role="status">
      {note}
    </p>
  ) : null
}
