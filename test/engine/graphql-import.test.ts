import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { importText, savedRequest } from './import-formats-helpers'

/**
 * GraphQL bodies from other tools come in as GraphQL requests: Insomnia's (`application/graphql`, JSON text
 * of `{ query, variables }`), and a raw JSON POST of GraphQL parameters. A JSON body that is not GraphQL stays
 * an HTTP request.
 */

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function insomnia(requests: object[]): string {
  return JSON.stringify({
    _type: 'export',
    __export_format: 4,
    resources: [
      { _id: 'wrk_1', parentId: null, name: 'GQL', scope: 'collection', _type: 'workspace' },
      ...requests,
    ],
  })
}

describe('importing GraphQL requests', () => {
  it('Insomnia GraphQL bodies and raw JSON GraphQL parameters become kind graphql; other JSON stays HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-gql-import-'))
    dirs.push(dir)
    const report = await importText(
      insomnia([
        {
          _id: 'req_1',
          parentId: 'wrk_1',
          _type: 'request',
          name: 'Get user',
          method: 'POST',
          url: 'http://127.0.0.1:4000/graphql',
          headers: [{ name: 'Content-Type', value: 'application/json' }],
          body: {
            mimeType: 'application/graphql',
            text: JSON.stringify({
              query: 'query GetUser($id: Int!) { user(id: $id) { name } }',
              variables: { id: 3 },
            }),
          },
        },
        {
          _id: 'req_2',
          parentId: 'wrk_1',
          _type: 'request',
          name: 'Raw bump',
          method: 'POST',
          url: 'http://127.0.0.1:4000/graphql',
          headers: [],
          body: {
            mimeType: 'application/json',
            text: '{"query":"mutation Bump { bump }","operationName":"Bump"}',
          },
        },
        {
          _id: 'req_3',
          parentId: 'wrk_1',
          _type: 'request',
          name: 'Not graphql',
          method: 'POST',
          url: 'http://127.0.0.1:4000/search',
          headers: [],
          body: { mimeType: 'application/json', text: '{"query":"red shoes","page":2}' },
        },
      ]),
      dir,
    )
    expect(report.unmapped.join('\n')).not.toContain('GraphQL body imported')
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'collection.yaml')
    const byName = async (stem: string) => savedRequest(dir, files.find((f) => f.startsWith(stem)) ?? '')
    const user = await byName('get-user')
    expect(user.kind).toBe('graphql')
    expect(user.body).toEqual({ kind: 'none' })
    expect(user.graphql).toEqual({
      query: 'query GetUser($id: Int!) { user(id: $id) { name } }',
      variables: '{\n  "id": 3\n}',
    })
    const bump = await byName('raw-bump')
    expect(bump.graphql).toEqual({ query: 'mutation Bump { bump }', operationName: 'Bump' })
    const other = await byName('not-graphql')
    expect(other.kind).toBe('http')
    expect(other.body).toEqual({ kind: 'json', text: '{"query":"red shoes","page":2}' })
  })
})
