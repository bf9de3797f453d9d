import type { CommandRequest, CommandResponses } from '../../shared/contract'
import type { KeyValue, RequestBody } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import type { SessionRecords } from '../sessions/session-records'
import { DEFAULT_EXPORT_BODY_BYTES, exportHar } from './har-export'
import { binaryPostWords } from './har-post-data'
import { literalRequest } from './literal-request'
import { commentLine } from '../exporters/snippet-comment'
import { sessionSnippetRequest, snippet } from './snippets'
import { HarFormatError, HarImportStopped, harOntoTimeline } from './har-onto-timeline'
import { WorkerDied } from '../workers/pool'

type Cmd = 'har.export' | 'har.import' | 'session.request' | 'session.snippet'
type Handlers = { [K in Cmd]: (payload: CommandRequest<K>) => Promise<Result<CommandResponses[K]>> }

export interface HarHandlerDeps {
  records: SessionRecords
  bodies: BodyStore
  clock: Clock
  /** Where imported sessions' events go: the same path as live ones (records, then the timeline sink). */
  emit: (e: TimelineEvent) => void
  /** Values of secret variables sent so far, redacted from exports. */
  secretValues?: () => Iterable<string>
}

/** Headers the engine adds on its own; "edit as new request" leaves them out so the composer's defaults apply. */
const ENGINE_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding'])

export function createHarHandlers(deps: HarHandlerDeps): Handlers {
  let imported = 0
  return {
    'har.export': async (p) => {
      try {
        return ok(
          await exportHar(deps.records, deps.bodies, p.sids, {
            maxBodyBytes: p.maxBodyBytes ?? DEFAULT_EXPORT_BODY_BYTES,
            includeSecrets: p.includeSecrets === true,
            secretValues: deps.secretValues?.() ?? [],
          }),
        )
      } catch (e) {
        if (!(e instanceof WorkerDied)) throw e
        const why =
          e.reason === 'memory'
            ? `ran out of memory in its worker (limit ${e.limitMb} MB)`
            : e.reason === 'timeout'
              ? `took longer than ${Math.round(e.timeoutMs / 1000)} s in its worker and was stopped`
              : 'stopped its worker'
        return fail(
          'too_large',
          `Building the HAR ${why}; export fewer sessions or a smaller body limit`,
          e.message,
        )
      }
    },
    'har.import': async (p) => {
      try {
        const r = await harOntoTimeline(p.text, {
          clock: deps.clock,
          emit: deps.emit,
          records: deps.records,
          bodies: deps.bodies,
          newSid: () => `har${++imported}`,
        })
        return ok({
          sids: r.sids,
          skipped: r.skipped,
          cut: r.cut,
          filesToChoose: r.filesToChoose,
          batchId: r.batchId,
        })
      } catch (e) {
        if (e instanceof HarFormatError) return fail('parse', `Could not import the HAR: ${e.message}`)
        if (e instanceof HarImportStopped) return fail('too_large', e.message)
        throw e
      }
    },
    'session.request': async (p) => {
      const r = deps.records.get(p.sid)
      if (!r) return fail('not_found', `No request is remembered for session ${p.sid}`)
      const headers: KeyValue[] = (r.sent?.headers ?? [])
        .filter(([k]) => !ENGINE_HEADERS.has(k.toLowerCase()) && !k.startsWith(':'))
        .map(([name, value]) => ({ name, value, enabled: true }))
      let body: RequestBody = r.requestBody ?? { kind: 'none' }
      const post = r.imported?.postData
      const binary = binaryPostWords(post)
      if (binary !== null) {
        // A text body would send the base64 letters: the body is left out, and the note says what it was.
        const note = `Its body, ${binary}, is not in the composer: a text body cannot hold its bytes (import the HAR into a collection to send them)`
        return ok(
          literalRequest({
            method: r.queued.method,
            url: r.queued.url,
            headers,
            body: { kind: 'none' },
            note,
          }),
        )
      }
      if (post) {
        body = /json/i.test(post.mimeType)
          ? { kind: 'json', text: post.text }
          : { kind: 'text', text: post.text, contentType: post.mimeType }
      }
      return ok(literalRequest({ method: r.queued.method, url: r.queued.url, headers, body }))
    },
    'session.snippet': async (p) => {
      const r = deps.records.get(p.sid)
      if (!r) return fail('not_found', `No request is remembered for session ${p.sid}`)
      const { fileTypeOrDefault } = await import('../../shared/file-type')
      const request = sessionSnippetRequest(r, fileTypeOrDefault, p.target)
      if ('refused' in request) return fail('unsupported', request.refused)
      let code: string | null
      try {
        code = await snippet(request.request, p.target, request.leftOut)
      } catch (e) {
        // What the snippet task refused (a part it cannot write safely), in words, as the Code dialog says it.
        const why = e instanceof Error ? e.message : String(e)
        return fail('invalid_request', `Cannot make a ${p.target} snippet: ${why}`)
      }
      if (code === null) return fail('unsupported', `No ${p.target} snippet for this request`)
      return ok({ code: request.note === undefined ? code : commentLine(p.target, request.note) + code })
    },
  }
}
