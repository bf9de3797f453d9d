import { describe, expect, it } from 'vitest'
import type { CollectionInfo, FolderNode, RequestNode } from '../../src/shared/collection'
import { QUICK_OPEN_LIMIT, quickOpenMatches } from '../../src/renderer/sidebar/quick-open'

const req = (path: string, name: string, method = 'GET', url = `{{base}}/${path}`): RequestNode => ({
  type: 'request',
  path,
  name,
  kind: 'http',
  method,
  url,
})
const folder = (path: string, name: string, children: FolderNode['children']): FolderNode => ({
  type: 'folder',
  path,
  name,
  variables: [],
  auth: { type: 'inherit' },
  children,
})
const collection = (name: string, root: FolderNode): CollectionInfo => ({
  dir: `/c/${name}`,
  name,
  variables: [],
  auth: { type: 'inherit' },
  root,
  environments: [],
  problems: [],
  requestCount: 0,
})

const shop = collection(
  'Shop',
  folder('', 'Shop', [
    folder('users', 'Users', [req('users/create', 'Create user', 'POST'), req('users/list', 'List users')]),
    req('health', 'Health'),
    req('orders', 'Orders for a user', 'GET', '{{base}}/orders?user=1'),
  ]),
)

describe('quick open', () => {
  it('finds by every word across name, method, URL and folder, names that start with the query first', () => {
    expect(quickOpenMatches([shop], 'user').map((m) => m.name)).toEqual([
      'Create user',
      'List users',
      'Orders for a user',
    ])
    expect(quickOpenMatches([shop], 'post user').map((m) => m.path)).toEqual(['users/create'])
    expect(quickOpenMatches([shop], 'users get').map((m) => m.path)).toEqual(['users/list'])
    expect(quickOpenMatches([shop], 'HEAL')[0]).toMatchObject({ path: 'health', where: 'Shop' })
    expect(quickOpenMatches([shop], 'list')[0]?.where).toBe('Shop › Users')
  })

  it('ranks a name that starts with the query above one that only contains it', () => {
    const c = collection('C', folder('', 'C', [req('a', 'Get orders'), req('b', 'Orders')]))
    expect(quickOpenMatches([c], 'orders').map((m) => m.name)).toEqual(['Orders', 'Get orders'])
  })

  it('lists at most the limit, whatever the collection holds', () => {
    const many = Array.from({ length: 500 }, (_, i) => req(`r${i}`, `Request ${i}`))
    const c = collection('Big', folder('', 'Big', many))
    expect(quickOpenMatches([c], '')).toHaveLength(QUICK_OPEN_LIMIT)
    expect(quickOpenMatches([c], 'nothing like this')).toEqual([])
  })
})
