import { describe, expect, it } from 'vitest'
import { droppedNode } from '../../src/renderer/sidebar/tree-drag'

const drag = (dir: string, path: string): string => JSON.stringify({ dir, path })

describe('dropping a tree node on a folder', () => {
  it('moves a request or folder into another folder of the same collection', () => {
    expect(droppedNode(drag('/c', 'health.yaml'), '/c', 'users')).toBe('health.yaml')
    expect(droppedNode(drag('/c', 'users/admin'), '/c', '')).toBe('users/admin')
  })

  it('moves nothing dropped on itself or inside itself', () => {
    expect(droppedNode(drag('/c', 'users'), '/c', 'users')).toBeNull()
    expect(droppedNode(drag('/c', 'users'), '/c', 'users/admin')).toBeNull()
    // A sibling whose name starts the same is not inside it.
    expect(droppedNode(drag('/c', 'users'), '/c', 'users-old')).toBe('users')
  })

  it('moves nothing from another collection, or without a path', () => {
    expect(droppedNode(drag('/other', 'health.yaml'), '/c', 'users')).toBeNull()
    expect(droppedNode(JSON.stringify({ dir: '/c' }), '/c', 'users')).toBeNull()
  })
})
