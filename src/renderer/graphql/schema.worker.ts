import type { SchemaReply, SchemaRequest } from './schema-protocol'
import { SchemaService } from './schema-service'

/**
 * The GraphQL schema worker: a Web Worker of the renderer (bundled by Vite beside the page's scripts, allowed by
 * the page's `worker-src 'self'`). Parsing an introspection answer, building the schema, completing and
 * validating documents against it and reading its types happen here, never on the page's thread.
 */

const service = new SchemaService()
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<SchemaRequest>) => void) | null
  postMessage(reply: SchemaReply): void
}

scope.onmessage = (e) => {
  const { id, op, payload } = e.data
  try {
    scope.postMessage({ id, ok: true, value: service.handle(op, payload) })
  } catch (err) {
    scope.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) })
  }
}
