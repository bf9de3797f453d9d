import { useEffect, useState } from 'react'
import type { ComposerDraft } from '../composer/composer-draft'

/** The composer's height before this default: the least it is drawn at until the person sizes it. */
export const COMPOSER_FLOOR = 210
/**
 * The part of the window the composer takes: 360 px at 900, where the request line, tabs and body bar (about
 * 116 px) leave the body editor its whole default twelve lines.
 */
const SHARE = 0.4
/**
 * What the window keeps outside the composer: the toolbar (34), the request tabs (30), two splitters, the
 * timeline's toolbar, header and four rows (159, use-wanted-height.ts) and the details pane's 240 below.
 */
const KEPT = 34 + 30 + 2 + 159 + 240

/**
 * The composer's height until the person drags its splitter: a share of the window, so a JSON body shows a
 * screenful of lines in a tall one, never less than COMPOSER_FLOOR and never so tall that the timeline's
 * rows and the details pane lose their room; at most `max`, the splitter's own bound.
 */
export function composerDefault(windowHeight: number, max: number): number {
  const room = windowHeight - KEPT
  return Math.round(Math.max(COMPOSER_FLOOR, Math.min(max, windowHeight * SHARE, room)))
}

/**
 * A plain HTTP request's composer while its Params or Headers table is shown: the request line, the tabs and the
 * table's room for two rows and its + Add line (an empty table shows one blank row). Typing the first param or
 * header, and adding a second, leaves it as it is: the timeline below does not move under the person.
 */
export const COMPOSER_COMPACT = 160
/**
 * A WebSocket's or an SSE stream's compact composer: the same, and its options bar (one line, 28 px, from 1024 px
 * up) between the request line and the tabs.
 */
export const COMPOSER_COMPACT_STREAM = COMPOSER_COMPACT + 28
/**
 * An MQTT or Socket.IO request's Connection fields: the least its composer is drawn at. It takes its fields'
 * height (one line and the topic hint at 1440 px, wrapped onto more at 1024), up to the floor, where it scrolls.
 */
export const COMPOSER_COMPACT_MESSAGING = 120
/** Rows of a table the compact composer shows whole. */
const ROWS_COMPACT = 2

/**
 * The least height of a compact composer, or null when it is not drawn compact: an HTTP request, an SSE stream or
 * a WebSocket with no body and at most two params and headers, its Params or Headers part shown (the other parts,
 * a script or the options, keep the floor's room); an MQTT or Socket.IO request on its Connection fields. A
 * compact composer grows with what it holds (a send's error above the tabs, fields that wrap in a narrow window).
 */
export function compactHeight(
  draft: Pick<ComposerDraft, 'kind' | 'bodyKind' | 'params' | 'headers'>,
  part: string | undefined,
): number | null {
  if (draft.kind === 'mqtt' || draft.kind === 'socketio')
    return part === undefined || part === 'connection' ? COMPOSER_COMPACT_MESSAGING : null
  const drawn =
    draft.bodyKind === 'none' &&
    draft.params.length <= ROWS_COMPACT &&
    draft.headers.length <= ROWS_COMPACT &&
    (part === undefined || part === 'params' || part === 'headers')
  if (!drawn) return null
  if (draft.kind === 'http') return COMPOSER_COMPACT
  return draft.kind === 'ws' || draft.kind === 'sse' ? COMPOSER_COMPACT_STREAM : null
}

/**
 * Whether the composer shows an auth form taller than the floor holds: OAuth 2.0's eight to eleven fields. It is
 * sized from the window as a body is (an MQTT or Socket.IO request's Auth tab is its own, a few fields).
 */
export function showsTallAuth(
  draft: Pick<ComposerDraft, 'kind' | 'auth'>,
  part: string | undefined,
): boolean {
  return part === 'auth' && draft.auth.type === 'oauth2' && draft.kind !== 'mqtt' && draft.kind !== 'socketio'
}

/**
 * Whether the composer shows a Tests tab with more assertions than the floor shows whole (three rows under the
 * heading): sized from the window as a body is, so a request's checks are read without scrolling the panel.
 */
export function showsTallTests(
  draft: Pick<ComposerDraft, 'kind' | 'run'>,
  part: string | undefined,
): boolean {
  return (
    part === 'tests' && draft.kind !== 'mqtt' && draft.kind !== 'socketio' && draft.run.assertions.length > 3
  )
}

/** Params or headers rows the floor shows whole under the request line and the composer's tabs. */
const ROWS_AT_FLOOR = 3

/**
 * Whether an HTTP or SSE request holds what the window-sized default is for: a body of any kind, or more params
 * or headers than the floor shows. A plain GET holds an empty table: the floor is enough, and the room goes to
 * the timeline and the response below (or beside) it.
 */
export function holdsMoreThanFloor(draft: Pick<ComposerDraft, 'bodyKind' | 'params' | 'headers'>): boolean {
  return (
    draft.bodyKind !== 'none' || draft.params.length > ROWS_AT_FLOOR || draft.headers.length > ROWS_AT_FLOOR
  )
}

/** The window's inner size, followed as the window is resized. */
export function useWindowSize(): { width: number; height: number } {
  const read = (): { width: number; height: number } => ({
    width: window.innerWidth > 0 ? window.innerWidth : 1440,
    height: window.innerHeight > 0 ? window.innerHeight : 900,
  })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const update = (): void => {
      if (window.innerHeight > 0 && window.innerWidth > 0) setSize(read())
    }
    window.addEventListener('resize', update)
    return () => window.removeEventListener('resize', update)
  }, [])
  return size
}
