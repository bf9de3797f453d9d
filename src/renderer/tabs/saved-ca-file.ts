import type { RequestSpec } from '../../shared/request'
import { selectActiveTab } from './active-draft'
import type { RequestTab } from './request-tab'

/**
 * The active tab's CA file (`options.caFile` of its saved request), for the sessions the app opens from it
 * (HTTP, SSE, WebSocket, MQTT, Socket.IO, GraphQL): the composer does not edit it, so it lives in the file's options the
 * tab keeps. The engine resolves it against the request's collection and confines it there, as for a run's step.
 */
export function activeCaFile(s: { tabs: readonly RequestTab[]; activeTabId: string }): { caFile?: string } {
  const caFile = selectActiveTab(s)?.baseOptions.caFile
  return caFile ? { caFile } : {}
}

/** `spec` (a draft's request) with the active tab's CA file in its options, for an HTTP send or an SSE stream. */
export function withActiveCaFile(
  spec: RequestSpec,
  s: { tabs: readonly RequestTab[]; activeTabId: string },
): RequestSpec {
  const ca = activeCaFile(s)
  return ca.caFile ? { ...spec, options: { ...spec.options, ...ca } } : spec
}
