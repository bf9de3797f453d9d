/**
 * Open collections that share a name (two HARs imported as "HAR from WebInspector") are told apart by their
 * folders, as VS Code tells apart two workspace folders of one name: beside each name, the fewest trailing
 * segments of its folder's path that no other folder of the group ends with ("cart", or "june/har" when two
 * end in "har"); the whole path when it is all another's ending.
 */

interface Named {
  name: string
  dir: string
}

function segments(dir: string): string[] {
  return dir.split(/[\\/]+/).filter((s) => s !== '')
}

/** The folder part to show beside each collection whose name another open collection also has, by its dir. */
export function twinFolders(collections: readonly Named[]): Map<string, string> {
  const byName = new Map<string, Named[]>()
  for (const c of collections) {
    const group = byName.get(c.name)
    if (group) group.push(c)
    else byName.set(c.name, [c])
  }
  const shown = new Map<string, string>()
  for (const group of byName.values()) {
    if (group.length < 2) continue
    const parts = group.map((c) => segments(c.dir))
    const deepest = Math.max(...parts.map((p) => p.length))
    // Each folder gets the fewest trailing segments no other folder of the group ends with (at most its whole
    // path): "checkout" beside "june/login" and "july/login". One count of the endings per depth.
    const left = new Set(group.map((_, i) => i))
    for (let take = 1; take <= deepest && left.size > 0; take += 1) {
      const endings = new Map<string, number>()
      for (const p of parts) {
        const end = p.slice(-take).join('/')
        endings.set(end, (endings.get(end) ?? 0) + 1)
      }
      for (const i of [...left]) {
        const p = parts[i] ?? []
        const end = p.slice(-take).join('/')
        if (endings.get(end) === 1 || take >= p.length) {
          shown.set(group[i]?.dir ?? '', take >= p.length ? (group[i]?.dir ?? '') : end)
          left.delete(i)
        }
      }
    }
  }
  return shown
}
