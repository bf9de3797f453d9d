import type { CollectionInfo, FolderNode } from '../../shared/collection'

export interface QuickOpenItem {
  dir: string
  path: string
  name: string
  method: string
  url: string
  /** Where it lives, for the person: `Collection › folder › sub`. */
  where: string
}

/** At most this many matches are listed: enough to choose from, never a list to scroll through. */
export const QUICK_OPEN_LIMIT = 50

/**
 * Requests whose name, method, URL or folder contain every word of the query (any case), best first: a name
 * that starts with the query, then a name that contains it, then the rest, each in tree order.
 */
export function quickOpenMatches(collections: readonly CollectionInfo[], query: string): QuickOpenItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const whole = words.join(' ')
  const ranked: { item: QuickOpenItem; rank: number; order: number }[] = []
  let order = 0
  const walk = (c: CollectionInfo, folder: FolderNode, where: string, depth: number): void => {
    if (depth > 64) return
    for (const node of folder.children) {
      if (node.type === 'folder') {
        walk(c, node, `${where} › ${node.name}`, depth + 1)
        continue
      }
      const name = node.name.toLowerCase()
      const text = `${name} ${node.method.toLowerCase()} ${node.url.toLowerCase()} ${where.toLowerCase()}`
      if (!words.every((w) => text.includes(w))) continue
      const rank = whole === '' ? 0 : name.startsWith(whole) ? 0 : name.includes(whole) ? 1 : 2
      const item = { dir: c.dir, path: node.path, name: node.name, method: node.method, url: node.url, where }
      ranked.push({ item, rank, order: order++ })
    }
  }
  for (const c of collections) walk(c, c.root, c.name, 0)
  ranked.sort((a, b) => a.rank - b.rank || a.order - b.order)
  return ranked.slice(0, QUICK_OPEN_LIMIT).map((r) => r.item)
}
