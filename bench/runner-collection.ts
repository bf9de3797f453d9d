import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { emptySavedRequest, type SavedRequest } from '../src/shared/collection'
import { COLLECTION_KEYS, REQUEST_KEYS } from '../src/engine/collections/collection-file-format'
import { collectionPlain, requestPlain } from '../src/engine/collections/collection-file-write'
import { renderYaml } from '../src/engine/collections/yaml-doc'
import { createEngineService } from '../src/engine/service'
import type { PostmanCollection, PostmanItem } from './runner-peers'

/**
 * The runner bench's collections, written in Flightdeck's on-disk format as a user would have them (a 1,000-request
 * one in folders, a one-request one), and Flightdeck's own Postman export of them for newman.
 */

function writeYaml(path: string, plain: Parameters<typeof renderYaml>[0], keys: ReadonlySet<string>): void {
  writeFileSync(path, renderYaml(plain, null, keys))
}

function request(name: string, url: string): SavedRequest {
  return {
    ...emptySavedRequest(name),
    url,
    headers: [{ name: 'Accept', value: 'application/json', enabled: true }],
    assertions: [{ kind: 'status', equals: 200 }],
  }
}

/** A collection folder in Flightdeck's on-disk format, `baseUrl` a collection variable as a user would have it. */
export function writeCollection(
  dir: string,
  name: string,
  baseUrl: string,
  requests: number,
  folders: number,
): void {
  mkdirSync(dir, { recursive: true })
  writeYaml(
    join(dir, 'collection.yaml'),
    collectionPlain({
      name,
      variables: [{ name: 'baseUrl', value: baseUrl, secret: false }],
      auth: { type: 'inherit' },
      order: [],
    }),
    COLLECTION_KEYS,
  )
  for (let f = 0; f < folders; f++) mkdirSync(join(dir, `folder-${f}`))
  for (let i = 0; i < requests; i++) {
    const where = folders > 0 ? join(dir, `folder-${i % folders}`) : dir
    writeYaml(
      join(where, `item-${i}.yaml`),
      requestPlain(request(`Item ${i}`, `{{baseUrl}}/items/${i}`)),
      REQUEST_KEYS,
    )
  }
}

export function countRequests(items: PostmanItem[], depth = 0): number {
  let n = 0
  for (const it of items) {
    if (it.request !== undefined) n++
    else if (it.item && depth < 32) n += countRequests(it.item, depth + 1)
  }
  return n
}

/** Flightdeck's own Postman v2.1 export of the folder, through the engine service as the app does it. */
export async function exportPostman(dir: string): Promise<PostmanCollection> {
  const service = createEngineService({ host: 'test', watchCollections: false, persistWorkspace: false })
  try {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(`collection.open: ${opened.error.message}`)
    const exported = await service.invoke('export.collection', { dir, format: 'postman' })
    if (!exported.ok) throw new Error(`export.collection: ${exported.error.message}`)
    return JSON.parse(exported.value.text) as PostmanCollection
  } finally {
    await service.dispose()
  }
}

/** A collection of one request (GET {{baseUrl}}/hit, asserting status 200). */
export function writeOneRequest(dir: string, baseUrl: string): void {
  mkdirSync(dir, { recursive: true })
  writeYaml(
    join(dir, 'collection.yaml'),
    collectionPlain({
      name: 'One request',
      variables: [{ name: 'baseUrl', value: baseUrl, secret: false }],
      auth: { type: 'inherit' },
      order: [],
    }),
    COLLECTION_KEYS,
  )
  writeYaml(join(dir, 'hit.yaml'), requestPlain(request('Hit', '{{baseUrl}}/hit')), REQUEST_KEYS)
}
