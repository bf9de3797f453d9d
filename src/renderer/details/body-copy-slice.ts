import type { StateCreator } from 'zustand/vanilla'
import { MAX_BODY_READ } from '../../shared/constants'
import { formatBytes } from '../../shared/format'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { base64ToBytes } from './body-text'

/** Bodies up to this size are copied whole; a larger one is offered as Save instead (a clipboard is no file). */
export const MAX_COPY_BYTES = 16 * 1024 * 1024

/** Where copied text goes: the system clipboard in the app; tests may pass their own. */
export type ClipboardWriter = (text: string) => Promise<void>

const systemClipboard: ClipboardWriter = async (text) => {
  if (!globalThis.navigator?.clipboard) throw new Error('this window has no clipboard access')
  await globalThis.navigator.clipboard.writeText(text)
}

export interface BodyCopySlice {
  /** What the last copy did, and where it was asked for: a body's id, or a place such as 'url' or 'headers'. */
  copyNote: { bodyId: string; text: string; error: boolean } | null
  /** Copy a whole body, as received (UTF-8 text), to the clipboard; says how much, or why not. */
  copyBody(bodyId: string, size: number): Promise<void>
  /** Copy a short text (a header value, a URL) and say what was copied, at `where`. */
  copyText(text: string, what: string, where: string): Promise<void>
}

/** A whole body as text, read from the engine in pages. */
async function readBodyText(client: ApiClient, bodyId: string, size: number): Promise<string> {
  const decoder = new TextDecoder('utf-8')
  let text = ''
  for (let offset = 0; offset < size;) {
    const res = await client.invoke('body.read', {
      bodyId,
      offset,
      length: Math.min(MAX_BODY_READ, size - offset),
      encoding: 'base64',
    })
    if (!res.ok) throw new Error(res.error.message)
    if (res.value.length === 0) break
    text += decoder.decode(base64ToBytes(res.value.data), { stream: true })
    offset += res.value.length
  }
  return text + decoder.decode()
}

export function createBodyCopySlice(
  client: ApiClient,
  clipboard: ClipboardWriter = systemClipboard,
): StateCreator<AppState, [], [], BodyCopySlice> {
  return (set) => ({
    copyNote: null,
    copyBody: async (bodyId, size) => {
      const note = (text: string, error = false): void => set({ copyNote: { bodyId, text, error } })
      if (size > MAX_COPY_BYTES) {
        note(
          `${formatBytes(size)} is too large to copy (up to ${formatBytes(MAX_COPY_BYTES)}): use Save…`,
          true,
        )
        return
      }
      try {
        await clipboard(await readBodyText(client, bodyId, size))
        note(`Copied the body (${formatBytes(size)})`)
      } catch (e) {
        note(`Could not copy: ${e instanceof Error ? e.message : String(e)}`, true)
      }
    },
    copyText: async (text, what, where) => {
      try {
        await clipboard(text)
        set({ copyNote: { bodyId: where, text: `Copied ${what}`, error: false } })
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e)
        set({ copyNote: { bodyId: where, text: `Could not copy: ${why}`, error: true } })
      }
    },
  })
}
