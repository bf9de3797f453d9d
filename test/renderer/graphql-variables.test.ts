import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { variableHints } from '../../src/renderer/composer/variable-hints'
import { activeSavedGraphql } from '../../src/renderer/graphql/graphql-slice'
import { composerTemplatedTexts } from '../../src/renderer/graphql/graphql-variables'
import type { AppStore } from '../../src/renderer/store/app-store'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { until } from './engine-client'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * `{{variables}}` inside a GraphQL tab's variables JSON (and connection params): the composer checks the text
 * once they are filled in, sends it as typed, and the engine fills them in (the server answers for the user
 * the collection's `userId` names); an unknown name is refused by name before anything is sent and is among
 * the hints under the URL marked unknown, as the URL's are; text that is not JSON even filled in says so.
 */

let base = ''
let server: GraphqlFixture
let engine: TestEngine
let store: AppStore
const s = () => store.getState()

beforeAll(async () => {
  server = await startGraphqlServer()
  base = realpathSync(mkdtempSync(join(tmpdir(), 'fd-gql-vars-')))
  writeFileSync(
    join(base, 'collection.yaml'),
    `name: Vars\nvariables:\n  base: ${server.url.replace(/\/graphql$/, '')}\n  userId: "4"\n`,
  )
  writeFileSync(
    join(base, 'get-user.yaml'),
    [
      'name: Get user',
      'kind: graphql',
      'method: POST',
      'url: "{{base}}/graphql"',
      'graphql:',
      '  query: "query GetUser($id: Int!) { user(id: $id) { name } }"',
      `  variables: '{"id": {{userId}}}'`,
      '',
    ].join('\n'),
  )
  engine = startEngine({ configDir: join(base, '.config') })
  store = engine.store()
  await openCollection(store, base)
  await s().openRequest(base, 'get-user.yaml')
  await until(() => s().scopeVars.some((v) => v.name === 'userId'))
})

afterAll(async () => {
  await stopEngines()
  await server.close()
  rmSync(base, { recursive: true, force: true })
})

/** The result body of the row `sid`, once it is done. */
async function resultOf(sid: string): Promise<unknown> {
  await until(() => s().timeline.rows[sid]?.terminal?.type === 'done', 10_000)
  const t = s().timeline.rows[sid]?.terminal
  if (t?.type !== 'done') throw new Error('not done')
  const r = await engine.service.invoke('body.read', {
    bodyId: t.body.id,
    offset: 0,
    length: 65536,
    encoding: 'utf8',
  })
  if (!r.ok) throw new Error(r.error.message)
  return JSON.parse(r.value.data)
}

describe('{{variables}} in GraphQL variables', () => {
  it('are checked filled in, sent as typed, filled in by the engine: the server answers for user 4', async () => {
    await s().sendGraphql()
    expect(s().sendError).toBeNull()
    const sid = s().selectedSid
    if (!sid) throw new Error('nothing selected')
    expect(await resultOf(sid)).toEqual({ data: { user: { name: 'user 4' } } })
  })

  it("the composer's Code on a GraphQL tab is the POST that carries its operation, variables filled in", async () => {
    const r = await s().snippetFor('curl')
    if (!('text' in r)) throw new Error(r.error)
    expect(r.text).toContain(`--url '${server.url}'`)
    expect(r.text).toMatch(/"query":\s*"query GetUser\(\$id: Int!\) \{ user\(id: \$id\) \{ name \} \}"/)
    expect(r.text).toMatch(/"variables":\s*\{\s*"id": 4\s*\}/)
  })

  it('an unknown name is refused by name and shown unknown under the URL; not JSON once filled in says so', async () => {
    const before = Object.keys(s().timeline.rows).length
    s().setGraphqlDraft({ variables: '{"id": {{nope}}}' })
    await s().sendGraphql()
    expect(s().sendError?.message).toBe('Variables: {{nope}} is not defined in any scope')
    const hints = variableHints(
      composerTemplatedTexts(selectActiveDraft(s()), activeSavedGraphql(s())),
      s().scopeVars,
    )
    expect(hints.filter((h) => h.state === 'unknown').map((h) => h.name)).toEqual(['nope'])
    s().setGraphqlDraft({ variables: '{"id": {{userId}},}' })
    await s().sendGraphql()
    expect(s().sendError?.message).toMatch(
      /^Variables are not JSON once their \{\{variables\}\} are filled in: /,
    )
    expect(Object.keys(s().timeline.rows).length, 'nothing was sent').toBe(before)
  })
})
