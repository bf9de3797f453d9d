import { importInsomniaResources, type Res } from './insomnia'
import { arr, ImportError, isObj, notePlace, str, type ImportPlan } from './plan'
import { groupDigits } from '../../shared/group-digits'

/**
 * Insomnia v5 (the YAML Insomnia 10 and later export, `type: collection.insomnia.rest/5.0`): a tree under
 * `collection:` (folders have `children`), environments under `environments:` (the base one, its
 * `subEnvironments` the environments). Requests keep v4's shapes (body, parameters, headers,
 * authentication), so the tree is turned into v4 resources and mapped by the same code.
 */

const MAX_DEPTH = 64
const MAX_ITEMS = 200_000

export function isInsomniaV5(data: unknown): boolean {
  return (
    isObj(data) &&
    typeof data['type'] === 'string' &&
    /^(collection|spec|environment)\.insomnia\.rest\/5\./.test(data['type'])
  )
}

function meta(item: Record<string, unknown>): Record<string, unknown> {
  return isObj(item['meta']) ? item['meta'] : {}
}

export function importInsomniaV5(data: unknown): ImportPlan {
  if (!isInsomniaV5(data) || !isObj(data)) throw new ImportError('not an Insomnia v5 export')
  const resources: Res[] = []
  const notes: string[] = []
  const wsId = str(meta(data)['id'], 'wrk_v5')
  resources.push({ _id: wsId, _type: 'workspace', name: str(data['name'], 'Insomnia import') })
  let n = 0
  const walk = (items: unknown, parentId: string, depth: number, path: string): void => {
    for (const raw of arr(items)) {
      if (!isObj(raw) || ++n > MAX_ITEMS) continue
      const m = meta(raw)
      const id = str(m['id'], `item_${n}`)
      const name = str(raw['name'], 'Untitled')
      const where = notePlace(path, name)
      const common = { _id: id, parentId, name, metaSortKey: Number(m['sortKey'] ?? n) }
      // v5 keeps scripts under `scripts:`; v4 has them as preRequestScript / afterResponseScript.
      const scripts = isObj(raw['scripts']) ? raw['scripts'] : {}
      const pre = str(scripts['preRequest'])
      const after = str(scripts['afterResponse'])
      if (Array.isArray(raw['children'])) {
        if (depth >= MAX_DEPTH) {
          notes.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
          continue
        }
        resources.push({
          ...common,
          _type: 'request_group',
          environment: raw['environment'],
          authentication: raw['authentication'],
          headers: raw['headers'],
          preRequestScript: pre,
          afterResponseScript: after,
        })
        walk(raw['children'], id, depth + 1, where)
      } else if (id.startsWith('ws-req_')) {
        resources.push({ ...common, ...raw, _id: id, _type: 'websocket_request' })
      } else if (id.startsWith('grpc-req_') || id.startsWith('greq_')) {
        // The same fields as v4's grpc_request (url, protoMethodName, body.text, metadata, protoFileId).
        resources.push({ ...raw, ...common, _type: 'grpc_request' })
      } else {
        resources.push({
          ...raw,
          ...common,
          _type: 'request',
          description: str(raw['description'], str(m['description'])),
          preRequestScript: pre,
          afterResponseScript: after,
        })
      }
    }
  }
  walk(data['collection'], wsId, 0, '')
  if (n > MAX_ITEMS)
    notes.push(`the file has ${groupDigits(n)} items; only the first ${groupDigits(MAX_ITEMS)} were read`)
  const envs = data['environments']
  if (isObj(envs)) {
    const baseId = str(meta(envs)['id'], 'env_base')
    resources.push({
      _id: baseId,
      parentId: wsId,
      _type: 'environment',
      name: str(envs['name']),
      data: envs['data'],
    })
    arr(envs['subEnvironments']).forEach((sub, i) => {
      if (!isObj(sub)) return
      resources.push({
        _id: str(meta(sub)['id'], `env_${i}`),
        parentId: baseId,
        _type: 'environment',
        name: str(sub['name'], 'Environment'),
        data: sub['data'],
      })
    })
  }
  if (isObj(data['spec'])) notes.push('the API spec in this file is not imported (import it as OpenAPI)')
  const plan = importInsomniaResources(resources)
  plan.unmapped.unshift(...notes)
  return plan
}
