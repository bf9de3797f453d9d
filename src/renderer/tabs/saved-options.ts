import type { RequestSpec } from '../../shared/request'
import type { SavedRequest } from '../../shared/collection'
import { COMPOSER_OPTION_KEYS } from '../composer/composer-draft'
import { selectActiveTab } from './active-draft'
import type { RequestTab } from './request-tab'

type Tabs = { tabs: readonly RequestTab[]; activeTabId: string }

/**
 * The active tab's CA file (`options.caFile` of its saved request), for the sessions that take only the TLS
 * options (MQTT, Socket.IO, gRPC; `insecure` is the composer's): the composer does not edit it, so it
 * lives in the file's options the tab keeps. The engine resolves it against the request's collection and confines
 * it there, as for a run's step.
 */
export function activeCaFile(s: Tabs): { caFile?: string } {
  const caFile = selectActiveTab(s)?.baseOptions.caFile
  return caFile ? { caFile } : {}
}

/**
 * The active tab's saved CA file, connect timeout and default headers left out, for a WebSocket (its `insecure` is
 * the composer's): what a WebSocket upgrade honours of a request's options, as a run's WebSocket step takes them.
 */
export function activeConnectOptions(
  s: Tabs,
): Pick<RequestSpec['options'], 'caFile' | 'connectTimeoutMs' | 'omitDefaultHeaders'> {
  const base = selectActiveTab(s)?.baseOptions
  return {
    ...(base?.caFile ? { caFile: base.caFile } : {}),
    ...(base?.connectTimeoutMs !== undefined ? { connectTimeoutMs: base.connectTimeoutMs } : {}),
    ...(base?.omitDefaultHeaders?.length ? { omitDefaultHeaders: base.omitDefaultHeaders } : {}),
  }
}

/**
 * The options the composer has a control for: the draft's value is the one sent, so one the person set back to
 * the default is sent as the default, not as the file had it.
 */
const DRAFT_OWNED = new Set<string>(COMPOSER_OPTION_KEYS)

/** The saved file's options the composer does not edit (omitDefaultHeaders, cookies, decompress, http2, …). */
function uneditedOptions(base: SavedRequest['options']): RequestSpec['options'] {
  return Object.fromEntries(
    Object.entries(base).filter(([key, value]) => !DRAFT_OWNED.has(key) && value !== undefined),
  ) as RequestSpec['options']
}

/**
 * `spec` (a draft's request) with the active tab's saved options the composer has no control for, for an HTTP
 * send, an SSE stream, a GraphQL operation or Copy as: the app sends what `flightdeck run` sends for the same file.
 */
export function withSavedOptions(spec: RequestSpec, s: Tabs): RequestSpec {
  const base = selectActiveTab(s)?.baseOptions
  if (!base) return spec
  return { ...spec, options: { ...uneditedOptions(base), ...spec.options } }
}
