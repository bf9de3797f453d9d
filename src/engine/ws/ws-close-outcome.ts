import { closeCodeText } from '../../shared/streams'
import type { EndedReport } from '../sessions/kernel/session-transport'
import { serverCloseFailure, stripClose, type WsFailure } from './ws-errors'

/** What the session knew when its socket closed, for `closeOutcome`. */
export interface WsCloseFacts {
  /** The code `ws` reported (1005: a close frame without a code; 1006: no close frame at all). */
  code: number
  reason: string
  /** The attempt had opened (the upgrade was answered 101). */
  wasOpen: boolean
  /** The person asked for the close (a close frame of theirs went out, or was about to). */
  closedByYou: boolean
  /** What went wrong on the socket before it closed, if anything. */
  failure: WsFailure | null
  /** The server's host, to name in a handshake that failed without words of its own. */
  host: string
}

/**
 * How a WebSocket attempt ended, in the kernel's terms: who ended it, in what words, whether that is an error,
 * and whether a reconnect may follow. A close the person asked for is theirs; a handshake that never opened is
 * retried; a protocol error Flightdeck detected (and closed for) is not, since it would repeat.
 */
export function closeOutcome(f: WsCloseFacts): EndedReport {
  if (f.closedByYou) return { reason: '', reconnectable: false, by: 'client', code: f.code }
  const failure = f.failure
  if (!f.wasOpen) {
    const why = failure ?? {
      code: 'network' as const,
      message: `The WebSocket handshake with ${f.host} failed`,
    }
    return { reason: why.message, error: stripClose(why), reconnectable: true, by: 'network' }
  }
  let by: 'server' | 'network' | 'client' = f.code === 1006 ? 'network' : 'server'
  let words: string
  let terminal: WsFailure | null
  if (failure?.closeCode !== undefined) {
    by = 'client'
    words = failure.message
    terminal = failure
  } else if (f.code === 1006) {
    words = `The connection dropped without a close frame (${closeCodeText(1006)})`
    terminal = { code: 'reset', message: words, ...(failure ? { detail: failure.message } : {}) }
  } else {
    words = `The server closed with ${closeCodeText(f.code)}${f.reason ? `: ${f.reason}` : ''}`
    terminal = serverCloseFailure(f.code, words)
  }
  return {
    reason: words,
    ...(terminal ? { error: stripClose(terminal) } : {}),
    reconnectable: failure?.closeCode === undefined,
    by,
    code: failure?.closeCode ?? f.code,
  }
}

/** The words of a close the person made, as the session's `stream-closed` carries them. */
export function closedByYouWords(code: number, reason: string): string {
  return `Closed by you with ${closeCodeText(code)}${reason ? `: ${reason}` : ''}`
}
