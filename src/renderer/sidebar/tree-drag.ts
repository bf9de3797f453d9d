import type { DragEvent } from 'react'

/**
 * Moving requests and folders by drag and drop inside one collection. The dragged node travels as JSON under our
 * own type, so drags from elsewhere (files, text, another collection) are not taken for a move.
 */

export const DRAG_TYPE = 'application/x-flightdeck-node'

export function startDrag(e: DragEvent, dir: string, path: string): void {
  e.dataTransfer.setData(DRAG_TYPE, JSON.stringify({ dir, path }))
  e.dataTransfer.effectAllowed = 'move'
}

/**
 * The node a drop on `folder` of collection `dir` moves, or null when there is none to move: data from another
 * collection, or a folder dropped on itself or inside itself.
 */
export function droppedNode(raw: string, dir: string, folder: string): string | null {
  const data = JSON.parse(raw) as { dir?: unknown; path?: unknown }
  if (data.dir !== dir || typeof data.path !== 'string') return null
  if (data.path === folder || folder.startsWith(`${data.path}/`)) return null
  return data.path
}
