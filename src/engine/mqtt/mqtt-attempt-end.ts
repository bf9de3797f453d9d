import type { AppError } from '../../shared/result'
import type { EndedReport } from '../sessions/kernel/session-transport'

/**
 * How one MQTT connection ended, in the kernel's terms: who ended it, in what words, and whether a reconnect
 * could help. Decided from what the session saw before the connection closed; the words end with what the end
 * cost (publishes lost or carried), when it cost any.
 */

export interface AttemptClose {
  /** The person closed the session (DISCONNECT sent, or waiting for the acks it is held back for). */
  closing: boolean
  /** CONNACK had come. */
  opened: boolean
  /** What went wrong first (an error, a refusal, a message past the limit), if anything did. */
  failure: AppError | null
  /** The failure would repeat on a reconnect, or the broker said so. */
  refused: boolean
  /** The broker's DISCONNECT in words, when it sent one. */
  serverDisconnect: string | null
  /** The broker's host:port. */
  host: string
  /** What the end did to the publishes awaiting their acks ('' when none were). */
  publishes: string
}

export function attemptEndReport(c: AttemptClose): EndedReport {
  const more = c.publishes ? `; ${c.publishes}` : ''
  if (c.closing) {
    // The person's close words say what it cost: the publishes it left without their acks.
    return {
      reason: '',
      reconnectable: false,
      by: 'client',
      ...(c.publishes ? { closeNote: c.publishes } : {}),
    }
  }
  if (!c.opened) {
    const f = c.failure ?? {
      code: 'network' as const,
      message: `The connection to the broker at ${c.host} closed before CONNACK`,
    }
    const error = { ...f, message: f.message + more }
    return { reason: error.message, error, reconnectable: !c.refused, by: 'network' }
  }
  if (c.failure && c.refused) {
    const error = { ...c.failure, message: c.failure.message + more }
    return { reason: error.message, error, reconnectable: false, by: 'client' }
  }
  if (c.failure?.code === 'timeout_idle') {
    // The broker stopped answering PINGREQ: it is still there, silent, so "went away" would blame the wrong thing.
    const error = { ...c.failure, message: c.failure.message + more }
    return { reason: error.message, error, reconnectable: true, by: 'network' }
  }
  if (c.serverDisconnect) {
    const error: AppError = { code: 'network', message: c.serverDisconnect + more }
    return { reason: error.message, error, reconnectable: true, by: 'server' }
  }
  const words = `The broker at ${c.host} went away (the connection closed without DISCONNECT)${more}`
  const error: AppError = {
    code: 'reset',
    message: words,
    ...(c.failure ? { detail: c.failure.message } : {}),
  }
  return { reason: words, error, reconnectable: true, by: 'network' }
}
