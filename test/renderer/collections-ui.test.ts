import { describe, expect, it } from 'vitest'
import {
  emptySavedRequest,
  type FolderNode,
  type SavedRequest,
  type ScopedVariable,
} from '../../src/shared/collection'
import { previewUrl, templatedTexts, variableHints } from '../../src/renderer/composer/variable-hints'
import { innerCollections } from '../../src/renderer/sidebar/InnerCollections'
import { filterTree } from '../../src/renderer/sidebar/tree-filter'
import { draftToSaved, extrasOf, savedKey, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { defaultRequestName } from '../../src/renderer/tabs/request-tab'

const vars: ScopedVariable[] = [
  { name: 'base', value: 'http://127.0.0.1:3000', secret: false, scope: 'collection', source: '' },
  { name: 'who', value: 'collection', secret: false, scope: 'collection', source: '' },
  { name: 'who', value: 'staging', secret: false, scope: 'environment', source: 'staging' },
  { name: 'token', value: '', secret: true, scope: 'environment', source: 'staging' },
]

describe('variable hints', () => {
  it('names every variable with its winning value and scope, flags unknown ones, masks secrets', () => {
    const req: SavedRequest = {
      ...emptySavedRequest('x'),
      url: '{{base}}/u/{{who}}?t={{$timestamp}}',
      headers: [{ name: 'X-Miss', value: '{{missing}}', enabled: true }],
    }
    const hints = variableHints(
      templatedTexts({ ...savedToDraft(req), auth: { type: 'bearer', token: '{{token}}' } }),
      vars,
    )
    expect(hints).toEqual([
      { name: 'base', state: 'known', value: 'http://127.0.0.1:3000', source: 'collection', secret: false },
      { name: 'who', state: 'known', value: 'staging', source: 'environment staging', secret: false },
      {
        name: '$timestamp',
        state: 'dynamic',
        value: 'Unix seconds at send time',
        source: 'dynamic',
        secret: false,
      },
      { name: 'missing', state: 'unknown', value: '', source: '', secret: false },
      { name: 'token', state: 'known', value: '••••••', source: 'environment staging', secret: true },
    ])
    expect(previewUrl('{{base}}/u/{{who}}?id={{$uuid}}', vars)).toBe(
      'http://127.0.0.1:3000/u/staging?id={{$uuid}}',
    )
  })
})

describe('sidebar search', () => {
  const tree: FolderNode = {
    type: 'folder',
    path: '',
    name: 'API',
    variables: [],
    auth: { type: 'inherit' },
    children: [
      {
        type: 'folder',
        path: 'users',
        name: 'Users',
        variables: [],
        auth: { type: 'inherit' },
        children: [
          {
            type: 'request',
            path: 'users/list.yaml',
            name: 'List users',
            kind: 'http',
            method: 'GET',
            url: '{{b}}/users',
          },
          {
            type: 'request',
            path: 'users/new.yaml',
            name: 'Create user',
            kind: 'http',
            method: 'POST',
            url: '{{b}}/users',
          },
        ],
      },
      {
        type: 'request',
        path: 'health.yaml',
        name: 'Health',
        kind: 'http',
        method: 'GET',
        url: '{{b}}/health',
      },
    ],
  }
  it('keeps matching requests and the folders on their way, by name, method or URL', () => {
    const names = (f: FolderNode | null): string[] =>
      f ? f.children.flatMap((c) => (c.type === 'folder' ? [c.name, ...names(c)] : [c.name])) : []
    expect(names(filterTree(tree, 'post'))).toEqual(['Users', 'Create user'])
    expect(names(filterTree(tree, 'health'))).toEqual(['Health'])
    expect(names(filterTree(tree, 'users get'))).toEqual(['Users', 'List users'])
    expect(filterTree(tree, 'nothing-like-this')).toBeNull()
  })
})

describe('collections inside a collection', () => {
  it("are told apart from real problems: the loader's note, not a link or a broken file at such a path", () => {
    const at = (path: string, message: string, line = 0) => ({ path, line, column: 0, message })
    const split = innerCollections([
      at(
        'petstore/collection.yaml',
        'A collection of its own: open it as one; its requests are not part of this collection',
      ),
      at('links/collection.yaml', 'A symbolic link: not read'),
      at('users/broken.yaml', 'bad indentation', 3),
    ])
    expect(split.inner).toEqual(['petstore'])
    expect(split.problems.map((p) => p.path)).toEqual(['links/collection.yaml', 'users/broken.yaml'])
  })
})

describe('tabs and drafts', () => {
  it('a saved request survives the composer unchanged, so opening a file does not make it dirty', () => {
    const req: SavedRequest = {
      ...emptySavedRequest('Create user'),
      method: 'POST',
      url: '{{base}}/users?x=1',
      headers: [{ name: 'A', value: '1', enabled: false }],
      body: { kind: 'json', text: '{"a":1}\n' },
      auth: { type: 'basic', username: 'u', password: '{{pw}}' },
      options: { followRedirects: false, connectTimeoutMs: 500 },
      description: 'keeps',
    }
    const back = draftToSaved(savedToDraft(req), extrasOf(req), req.options)
    expect(back).toEqual(req)
    expect(savedKey(back)).toBe(savedKey(req))
  })
  it('names a new request after what it does', () => {
    expect(defaultRequestName('GET', '{{base}}/users/{{id}}?page=1')).toBe('GET users')
    expect(defaultRequestName('POST', '')).toBe('POST request')
  })
})
