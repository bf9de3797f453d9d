import type { EngineService } from '../../src/engine/service'
import { savedToSpec } from '../../src/shared/collection'
import { done } from './helpers'
import { savedRequest, type Arrived, type Stub } from './import-formats-helpers'

/**
 * Send a request imported from a HAR once the person has chosen each file part's file: the file of the part's
 * recorded name in the collection folder (a HAR part comes with a file name and no path).
 */
export async function sendChoosingFiles(
  service: EngineService,
  stub: Stub,
  dir: string,
  path: string,
): Promise<Arrived> {
  const req = await savedRequest(dir, path)
  const body =
    req.body.kind === 'multipart'
      ? {
          ...req.body,
          parts: req.body.parts.map((p) =>
            p.kind === 'file' && p.path === '' ? { ...p, path: p.fileName ?? '' } : p,
          ),
        }
      : req.body
  const before = stub.arrived.length
  const r = await service.invoke('request.send', {
    request: savedToSpec({ ...req, body }),
    auth: req.auth,
    context: { dir, path },
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  done(await service.http.waitFor(r.value.sids[0] as string))
  const got = stub.arrived[before]
  if (!got) throw new Error('nothing arrived')
  return got
}
