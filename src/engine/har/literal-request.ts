import type { SessionRequest } from '../../shared/body-view'
import type { KeyValue, RequestBody } from '../../shared/request'
import { escapeTemplate } from '../../shared/template'

/**
 * A session's request is what went out (or what a HAR recorded): its text is literal. Opened in the composer as
 * it stands, a `{{apiKey}}` in it would become a variable, and a send would fill it from the reader's variables
 * and ship the reader's secret to that host. So every field a send resolves has its `{{` escaped (`\{{`,
 * src/shared/template.ts): sent again, the braces go as they went.
 */
export function literalRequest(req: SessionRequest): SessionRequest {
  return {
    ...req,
    url: escapeTemplate(req.url),
    headers: literalPairs(req.headers),
    body: literalBody(req.body),
  }
}

function literalPairs(list: KeyValue[]): KeyValue[] {
  return list.map((kv) => ({ ...kv, name: escapeTemplate(kv.name), value: escapeTemplate(kv.value) }))
}

/** The fields of a body that resolveRequest resolves (template.ts resolveBody), escaped; the rest as they are. */
function literalBody(body: RequestBody): RequestBody {
  switch (body.kind) {
    case 'none':
      return body
    case 'text':
    case 'json':
      return { ...body, text: escapeTemplate(body.text) }
    case 'form':
      return { ...body, fields: literalPairs(body.fields) }
    case 'multipart':
      return {
        ...body,
        parts: body.parts.map((p) =>
          p.kind === 'text'
            ? { ...p, name: escapeTemplate(p.name), value: escapeTemplate(p.value) }
            : { ...p, name: escapeTemplate(p.name), path: escapeTemplate(p.path) },
        ),
      }
    case 'file':
      return { ...body, path: escapeTemplate(body.path) }
  }
}
