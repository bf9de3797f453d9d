import { describe, expect, it } from 'vitest'
import type { FolderNode } from '../../src/shared/collection'
import { levelsAround } from '../../src/renderer/scripts/level-scripts'

/** What a request's Scripts tab names as running around its own scripts: outermost first, with their phases. */
describe('collection and folder scripts around a request', () => {
  const folder = (
    path: string,
    name: string,
    scripts: FolderNode['scripts'],
    children: FolderNode['children'] = [],
  ): FolderNode => ({
    type: 'folder',
    path,
    name,
    variables: [],
    auth: { type: 'inherit' },
    ...(scripts ? { scripts } : {}),
    children,
  })
  const inner = folder('auth/admin', 'Admin', {
    test: '  ',
    preRequest: "pm.variables.set('a', 1)",
    translated: true,
  })
  const auth = folder('auth', 'Auth', { test: "pm.test('ok', () => {})" }, [inner])
  const plain = folder('plain', 'Plain', undefined)
  const root = folder('', 'Shop', { preRequest: 'x()', test: 'y()' }, [auth, plain])

  it('lists the collection, then each folder down to the request, with what each runs', () => {
    expect(levelsAround(root, 'auth/admin/login.yaml').map((l) => `${l.label}: ${l.phases}`)).toEqual([
      'collection Shop: pre-request and post-response',
      'folder Auth: post-response',
      'folder Admin: pre-request, translated (not run)',
    ])
  })

  it('leaves out folders with no script (or only blank ones)', () => {
    expect(levelsAround(root, 'plain/r.yaml').map((l) => l.label)).toEqual(['collection Shop'])
    expect(levelsAround(folder('', 'Empty', { test: ' ' }), 'r.yaml')).toEqual([])
  })
})
