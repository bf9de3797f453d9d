import { opendir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { MAX_PATH_COMPLETIONS } from '../../shared/draft-schemas'

/** Entries read from one folder, at most: a folder of a million files answers quickly and says there is more. */
const MAX_SCANNED = 5000

/**
 * Completions for a file path being typed: `partial` up to its last `/` names a folder (absolute, `~/…`, or
 * relative to `base`); the rest is a prefix of an entry's name. Hidden entries show only once the prefix
 * starts with a dot. Answers are the full text the field would hold, folders ending in `/`.
 */
export async function completePath(
  partial: string,
  base: string,
): Promise<{ entries: string[]; more: boolean }> {
  const cut = partial.lastIndexOf('/') + 1
  const typedDir = partial.slice(0, cut)
  const prefix = partial.slice(cut)
  const expanded = typedDir.startsWith('~/') ? join(homedir(), typedDir.slice(2)) : typedDir
  const folder = expanded === '' ? base : isAbsolute(expanded) ? expanded : join(base, expanded)
  const found: string[] = []
  let scanned = 0
  let more = false
  try {
    const dir = await opendir(folder)
    for await (const entry of dir) {
      if (++scanned > MAX_SCANNED) {
        more = true
        break
      }
      if (!entry.name.startsWith(prefix)) continue
      if (entry.name.startsWith('.') && !prefix.startsWith('.')) continue
      found.push(`${typedDir}${entry.name}${entry.isDirectory() ? '/' : ''}`)
    }
  } catch {
    // A folder that does not exist (yet) or cannot be read simply has nothing to offer.
    return { entries: [], more: false }
  }
  found.sort((a, b) => a.localeCompare(b))
  if (found.length > MAX_PATH_COMPLETIONS) more = true
  return { entries: found.slice(0, MAX_PATH_COMPLETIONS), more }
}
