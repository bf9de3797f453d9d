import { describe, expect, it } from 'vitest'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import { createAppStore } from '../../src/renderer/store/app-store'
import { draftToSaved, extrasOf, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { activeSavedGraphql } from '../../src/renderer/graphql/graphql-slice'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { tabContent } from '../../src/renderer/tabs/request-tab'
import { fakeClient } from './fake-client'

/**
 * A GraphQL request's `graphql:` block survives a tab: opened and saved back it is the same (it was dropped,
 * so saving a GraphQL request from the app emptied its query), and the GraphQL composer's edits are what a
 * save writes.
 */

const saved: SavedRequest = {
  ...emptySavedRequest('Get user', 'graphql'),
  method: 'POST',
  url: 'http://127.0.0.1:4000/graphql',
  graphql: {
    query: 'query GetUser($id: Int!) {\n  user(id: $id) { name }\n}\n',
    variables: '{"id": 1}',
    operationName: 'GetUser',
    transport: 'http',
  },
}

describe('a GraphQL request in a tab', () => {
  it('opens and saves back with its graphql block unchanged', () => {
    const back = draftToSaved(savedToDraft(saved), extrasOf(saved), saved.options)
    expect(back.graphql).toEqual(saved.graphql)
    expect(back.kind).toBe('graphql')
  })

  it("the composer's edits are what a save writes", () => {
    const store = createAppStore(fakeClient().client)
    store.getState().setKind('graphql')
    store.getState().setGraphqlDraft({ query: 'subscription { count(to: 3) }', transport: 'ws' })
    store.getState().setGraphqlDraft({ variables: '{"a": 1}', method: 'GET' })
    expect(activeSavedGraphql(store.getState())).toEqual({
      query: 'subscription { count(to: 3) }',
      variables: '{"a": 1}',
      transport: 'ws',
    })
    expect(selectActiveDraft(store.getState()).method).toBe('GET')
    const tab = store.getState().tabs.find((t) => t.id === store.getState().activeTabId)
    if (!tab) throw new Error('no tab')
    expect(tabContent(tab).graphql).toEqual({
      query: 'subscription { count(to: 3) }',
      variables: '{"a": 1}',
      transport: 'ws',
    })
  })
})
