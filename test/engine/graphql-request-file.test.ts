import { describe, expect, it } from 'vitest'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { graphqlStep } from '../../src/engine/graphql/graphql-step'
import { graphqlDraftOf } from '../../src/renderer/graphql/graphql-slice'
import { savedToDraft } from '../../src/renderer/tabs/draft-convert'
import type { SavedRequest } from '../../src/shared/collection'
import { renderYaml } from '../../src/engine/collections/yaml-doc'
import { SAVED_REQUEST_KEYS } from '../../src/shared/collection'

/**
 * A GraphQL request file: without `method:` it is a POST everywhere: the composer opens it as the POST that
 * `flightdeck run` sends (it opened as GET, so Send in the app and the run differed), and a request saved from
 * the app keeps its method, GET included, when read back. `shareConnection: false` reads and writes back.
 */

const NO_METHOD = `name: Get user
kind: graphql
url: http://127.0.0.1:4000/graphql
graphql:
  query: "{ hello }"
`

function read(text: string): SavedRequest {
  const parsed = parseRequestText(text, 'get-user')
  if (!parsed.ok) throw new Error(parsed.problem.message)
  return parsed.value
}

describe('a GraphQL request file without a method', () => {
  it('opens in the composer as the POST that flightdeck run sends', () => {
    const req = read(NO_METHOD)
    const composer = graphqlDraftOf(req.graphql ?? { query: '' }, savedToDraft(req).method)
    expect(composer.method).toBe('POST')
    const step = graphqlStep(req, 'get-user')
    if (!step.ok) throw new Error(step.error.message)
    expect(step.value.request.method).toBe(composer.method)
  })

  it('keeps GET and POST when the app saves the request and it is read back', () => {
    for (const method of ['GET', 'POST']) {
      const req = { ...read(NO_METHOD), method }
      const back = read(renderYaml(requestPlain(req), null, new Set<string>(SAVED_REQUEST_KEYS)))
      expect(back.method).toBe(method)
      expect(graphqlDraftOf(back.graphql ?? { query: '' }, savedToDraft(back).method).method).toBe(method)
    }
  })

  it('leaves other kinds without a method as GET', () => {
    expect(read(NO_METHOD.replace('kind: graphql', 'kind: sse').replace(/graphql:[\s\S]*$/, '')).method).toBe(
      'GET',
    )
  })

  it('reads shareConnection: false and writes it back; a file without it shares (the field is left out)', () => {
    const own = read(NO_METHOD.replace('graphql:\n', 'graphql:\n  transport: ws\n  shareConnection: false\n'))
    expect(own.graphql).toEqual({ query: '{ hello }', transport: 'ws', shareConnection: false })
    const text = renderYaml(requestPlain(own), null, new Set<string>(SAVED_REQUEST_KEYS))
    expect(text).toContain('shareConnection: false')
    expect(read(text).graphql).toEqual(own.graphql)
    expect(read(NO_METHOD).graphql).not.toHaveProperty('shareConnection')
  })
})
