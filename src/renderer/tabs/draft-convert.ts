import type { SavedMessage, SavedRequest } from '../../shared/collection'
import { SAVED_REQUEST_KEYS } from '../../shared/collection'
import { afterFromSaved, afterToSaved } from '../async/after-response'
import {
  COMPOSER_OPTION_KEYS,
  emptyDraft,
  draftBody,
  toRequestSpec,
  type ComposerDraft,
} from '../composer/composer-draft'
import { runToSaved, savedToRun, stableJson, type RunFields } from '../composer/run-draft'
import { paramsFromUrl } from '../composer/url-params'
import { scriptsFromSaved, scriptsToSaved } from '../scripts/script-draft'

/**
 * A saved request <-> a tab's draft. The draft keeps a body per body kind; a saved file holds only the chosen
 * body. What the composer does not edit (name, description, WebSocket messages) rides along in the tab's
 * extras, so saving never drops it. The run fields (the Tests tab) are in the draft, and a save carries each one
 * the file has or the tab sets, so the file gets what the tab shows. So is the After response choice
 * (`followJob:` / `longPoll:`), which a save always writes: set, or removed.
 */

export interface TabExtras {
  name: string
  description: string
  messages: SavedMessage[]
  /**
   * Fields of the file this version of the composer does not know (newer run fields): carried unchanged, so
   * a save neither drops them nor makes an untouched tab look edited.
   */
  other: Partial<SavedRequest>
}

/** The fields the composer and the tab's extras handle; anything else in a file rides along in `other`. */
// A GraphQL request's `graphql:` block is edited in place in `other` (the GraphQL composer), so it is saved as is.
// A gRPC request's `grpc:` block is edited in place in `other` (the gRPC composer), so it is saved as is.
// MQTT's `mqtt:` and Socket.IO's `socketio:` blocks (subscriptions, publishes, emits) ride along the same way.
const HANDLED: ReadonlySet<string> = new Set(
  SAVED_REQUEST_KEYS.filter(
    (k) => k !== 'waitForWebhook' && k !== 'grpc' && k !== 'graphql' && k !== 'mqtt' && k !== 'socketio',
  ),
)

export function savedToDraft(req: SavedRequest): ComposerDraft {
  const d = emptyDraft()
  d.kind = req.kind
  d.method = req.method
  d.url = req.url
  // The URL holds the parameters sent; the ones switched off come after them, unticked.
  d.params = [
    ...paramsFromUrl(req.url, []),
    ...(req.disabledParams ?? []).map((p) => ({ ...p, enabled: false })),
  ]
  d.headers = req.headers.map((h) => ({ ...h }))
  d.bodyKind = req.body.kind
  switch (req.body.kind) {
    case 'text':
      d.text = { text: req.body.text, contentType: req.body.contentType }
      break
    case 'json':
      d.json = req.body.text
      break
    case 'form':
      d.form = req.body.fields.map((f) => ({ ...f }))
      break
    case 'multipart':
      d.multipart = req.body.parts.map((p) => ({ ...p }))
      break
    case 'file':
      d.file = { path: req.body.path, contentType: req.body.contentType ?? '' }
      break
    case 'none':
      break
  }
  // Options the composer shows come from the file; others keep their defaults and are not written back.
  const o = req.options
  if (o.followRedirects !== undefined) d.options.followRedirects = o.followRedirects
  if (o.maxRedirects !== undefined) d.options.maxRedirects = o.maxRedirects
  if (o.insecure !== undefined) d.options.insecure = o.insecure
  if (o.totalTimeoutMs !== undefined) d.options.totalTimeoutMs = o.totalTimeoutMs
  if (o.maxBodyBytes !== undefined) d.options.maxBodyBytes = o.maxBodyBytes
  if (o.acceptPush !== undefined) d.options.acceptPush = o.acceptPush
  if (o.headersTimeoutMs !== undefined) d.options.headersTimeoutMs = o.headersTimeoutMs
  d.auth = req.auth
  d.protocols = [...req.protocols]
  d.run = savedToRun(req)
  d.after = afterFromSaved(req)
  d.scripts = scriptsFromSaved(req.scripts)
  return d
}

export function extrasOf(req: SavedRequest): TabExtras {
  return {
    name: req.name,
    description: req.description,
    messages: req.messages.map((m) => ({ ...m })),
    other: Object.fromEntries(
      Object.entries(req).filter(([k, v]) => !HANDLED.has(k) && v !== undefined),
    ) as Partial<SavedRequest>,
  }
}

/**
 * The file content for a draft. Options equal to the base file's (or to the defaults, for a new request) are
 * kept as they were, so opening and saving a request does not add lines to it.
 */
export function draftToSaved(
  d: ComposerDraft,
  extras: TabExtras,
  baseOptions: SavedRequest['options'],
  /** The run fields the file has now: an emptied one is written empty so the save removes it (runToSaved). */
  fileRun?: RunFields,
): SavedRequest {
  const spec = toRequestSpec(d)
  const defaults = emptyDraft().options
  const options: SavedRequest['options'] = { ...baseOptions }
  for (const key of COMPOSER_OPTION_KEYS) {
    if (key === 'headersTimeoutMs') continue
    const value = d.options[key]
    if (baseOptions[key] !== undefined || value !== defaults[key])
      (options as Record<string, unknown>)[key] = value
  }
  // The headers timeout is in the file only while it is set (back to the default, it leaves the file).
  const { headersTimeoutMs } = d.options
  if (typeof headersTimeoutMs === 'number') options.headersTimeoutMs = headersTimeoutMs
  else delete options.headersTimeoutMs
  const disabledParams = d.params.filter((p) => !p.enabled && (p.name !== '' || p.value !== ''))
  return {
    ...extras.other,
    name: extras.name,
    kind: d.kind,
    method: spec.method || 'GET',
    url: d.url,
    ...(disabledParams.length > 0 ? { disabledParams } : {}),
    description: extras.description,
    headers: d.headers.filter((h) => h.name.trim() !== '' || h.value !== ''),
    body: draftBody(d),
    auth: d.auth,
    options,
    protocols: d.protocols,
    messages: extras.messages,
    ...runToSaved(d.run, fileRun),
    ...afterToSaved(d.after),
    ...scriptsToSaved(d.scripts),
  }
}

/**
 * A stable string for "has this tab unsaved changes": the content that would be written. Key order does not
 * count, and an empty run list or stop condition is the same as none (the file leaves both out).
 */
export function savedKey(req: SavedRequest): string {
  const { assertions, extract, dependsOn, stop, ...rest } = req
  return stableJson({
    ...rest,
    ...(assertions?.length ? { assertions } : {}),
    ...(extract?.length ? { extract } : {}),
    ...(dependsOn?.length ? { dependsOn } : {}),
    ...(stop && Object.keys(stop).length > 0 ? { stop } : {}),
  })
}
