import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LastSessionInfo } from '../../shared/workspace-schemas'
import { writeFileAtomic } from '../collections/atomic-write'
import { ensureConfigFolder } from '../files/config-folder'
import { exportHar } from '../har/har-export'
import type { BodyStore } from '../http/body-store'
import type { SessionRecords } from '../sessions/session-records'
import { LAST_SESSION_HAR, LAST_SESSION_INFO } from './workspace-store'

/**
 * When the engine stops (the window closed, the app quit), the newest HTTP sessions are written as a HAR into
 * the config dir, so the next start can offer them back read-only: someone who closed the window by mistake
 * loses nothing. Bounded three ways: at most LAST_SESSION_MAX_SESSIONS sessions, response bodies up to
 * LAST_SESSION_BODY_BYTES each, and the file at most LAST_SESSION_MAX_BYTES (under what `har.import` reads).
 * Bodies are given at most about half the file bound up front (fewer bytes each when there are many sessions);
 * past the bound anyway (big headers) the bodies go, then the oldest half of the sessions, until it fits. What
 * was left out is counted in last-session.json and shown with the offer. Credentials are redacted as in any export.
 */
export const LAST_SESSION_MAX_SESSIONS = 1_000
export const LAST_SESSION_BODY_BYTES = 64 * 1024
export const LAST_SESSION_MAX_BYTES = 48 * 1024 * 1024

export interface LastSessionLimits {
  maxSessions: number
  bodyBytes: number
  maxBytes: number
}

const DEFAULT_LIMITS: LastSessionLimits = {
  maxSessions: LAST_SESSION_MAX_SESSIONS,
  bodyBytes: LAST_SESSION_BODY_BYTES,
  maxBytes: LAST_SESSION_MAX_BYTES,
}

/** Write the HAR and its info; null when there was nothing to keep (the previous one stays). */
export async function keepLastSession(
  configDir: string,
  records: SessionRecords,
  bodies: BodyStore,
  secretValues: Iterable<string>,
  limits: LastSessionLimits = DEFAULT_LIMITS,
): Promise<LastSessionInfo | null> {
  const all = records.newest(Number.MAX_SAFE_INTEGER)
  if (all.length === 0) return null
  let sids = all.slice(-limits.maxSessions)
  // Bodies get at most half the file (base64 grows them by a third), so one export usually fits.
  let bodyBytes = Math.min(limits.bodyBytes, Math.floor(limits.maxBytes / 2 / sids.length / 1.4))
  const secrets = [...secretValues]
  // Each round drops bodies or halves the sessions, so this ends within about log2(maxSessions) + 2 rounds.
  for (let round = 0; round < 40; round++) {
    const har = await exportHar(records, bodies, sids, { maxBodyBytes: bodyBytes, secretValues: secrets })
    if (Buffer.byteLength(har.har) <= limits.maxBytes) {
      await ensureConfigFolder(configDir, 'the last session')
      await writeFileAtomic(join(configDir, LAST_SESSION_HAR), har.har, { mode: 0o600 })
      const info: LastSessionInfo = {
        savedAt: Date.now(),
        sessions: har.entries,
        omitted: all.length - har.entries,
        bodyBytes,
      }
      await writeFileAtomic(join(configDir, LAST_SESSION_INFO), JSON.stringify(info), { mode: 0o600 })
      return info
    }
    if (bodyBytes > 0) bodyBytes = 0
    else if (sids.length > 1) sids = sids.slice(Math.floor(sids.length / 2))
    else return null
  }
  return null
}

export async function readLastSessionHar(configDir: string): Promise<string> {
  return readFile(join(configDir, LAST_SESSION_HAR), 'utf8')
}
