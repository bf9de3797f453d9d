import { importOpenApi } from './openapi'
import { refuseExpanding } from './openapi-bounds'
import { ImportError, type ImportPlan } from './plan'
import { isSwagger2, swagger2ToOpenApi } from './swagger2'

export { isSwagger2 } from './swagger2'

/** A Swagger 2.0 document imported as the OpenAPI 3 document it says (swagger2.ts); the report says so first. */
export async function importSwagger2(data: unknown): Promise<ImportPlan> {
  if (!isSwagger2(data)) throw new ImportError('not a Swagger 2.0 document (no "swagger: 2.0" and "paths")')
  // Before the conversion copies anything: a document too large to import is refused as OpenAPI's is.
  refuseExpanding(data)
  const notes: string[] = []
  const api = swagger2ToOpenApi(data, notes)
  const paths = Object.values(api['paths'] as Record<string, Record<string, unknown>>)
  if (paths.every((item) => Object.keys(item).length === 0))
    throw new ImportError('Swagger 2.0 document with no operation to import')
  const plan = await importOpenApi(api)
  plan.unmapped.unshift(
    'Swagger 2.0: read as the OpenAPI 3 document it says (servers from host, basePath and schemes; body and formData parameters as the request body)',
    ...notes,
  )
  return plan
}
