import { basename, isAbsolute } from 'node:path'
import type { CommandHandlers, TimelineCommand } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import type { BodyViews } from '../body-view/body-views'
import type { BodyStore } from '../http/body-store'

type Handlers = CommandHandlers<TimelineCommand>

export interface TimelineHandlerDeps {
  bodies: BodyStore
  views: BodyViews
  /** The desktop host's save dialog; absent elsewhere. */
  pickSavePath?: (suggestedName: string) => Promise<string | null>
  /** HAR commands (session records). */
  har?: Pick<Handlers, 'har.export' | 'har.import' | 'session.request' | 'session.snippet'>
}

/** The response viewer's commands and HAR in and out, for the service's handler table. */
export function createTimelineHandlers(deps: TimelineHandlerDeps): Handlers {
  const unsupported = async (): Promise<Result<never>> =>
    fail('unsupported', 'HAR is not available in this host')
  return {
    'body.lines': (p) => deps.views.lines(p.bodyId, p.view, p.from, p.count),
    'body.search': (p) => deps.views.search(p.bodyId, p.view, p.query, p.caseSensitive ?? false, p.from ?? 0),
    'body.save': async (p) => {
      let path = p.path
      if (path === undefined) {
        if (!deps.pickSavePath)
          return fail('unsupported', 'This host cannot ask where to save; download the body instead')
        const name = basename(p.suggestedName || `${p.bodyId}.body`)
        const picked = await deps.pickSavePath(name)
        if (picked === null) return ok({ path: null, bytes: 0 })
        path = picked
      }
      if (!isAbsolute(path)) return fail('file', `Save to an absolute path, not ${path}`)
      return deps.views.save(p.bodyId, path)
    },
    'har.export': deps.har?.['har.export'] ?? unsupported,
    'har.import': deps.har?.['har.import'] ?? unsupported,
    'session.request': deps.har?.['session.request'] ?? unsupported,
    'session.snippet': deps.har?.['session.snippet'] ?? unsupported,
  }
}

/** What the browser host's download route reads a body through. */
export interface BodySource {
  size: number
  contentType: string
  read(offset: number, length: number): Promise<Buffer>
}

export function openBodySource(bodies: BodyStore, bodyId: string): BodySource | null {
  const w = bodies.get(bodyId)
  if (!w || !w.ended) return null
  return { size: w.size, contentType: w.contentType, read: (o, l) => w.read(o, l) }
}
