import type { CollectionInfo, FileProblem } from '../../shared/collection'
import { useAppStore } from '../store/store-context'

/**
 * Collections of their own inside an open one (an import into a subfolder makes one): the loader leaves them out
 * of the tree and lists `<folder>/collection.yaml` among the problems. Nothing is broken, so they are not shown
 * as errors: a note per folder, in words that wrap at the sidebar's width, with a button to open it as the
 * collection it is (when it is not open already).
 */

const COLLECTION_FILE = '/collection.yaml'
const INNER_MESSAGE = 'A collection of its own'

/** The problems split into the folders that are collections of their own and the real problems. */
export function innerCollections(all: readonly FileProblem[]): {
  inner: string[]
  problems: FileProblem[]
} {
  const inner: string[] = []
  const problems: FileProblem[] = []
  for (const p of all) {
    // The loader's words for it (engine/collections/loader.ts); a link or unreadable file at such a path stays a problem.
    if (p.line === 0 && p.path.endsWith(COLLECTION_FILE) && p.message.startsWith(INNER_MESSAGE))
      inner.push(p.path.slice(0, -COLLECTION_FILE.length))
    else problems.push(p)
  }
  return { inner, problems }
}

export function InnerCollections({
  collection,
  folders,
}: {
  collection: CollectionInfo
  folders: readonly string[]
}) {
  const openDirs = useAppStore((s) => s.collections.map((c) => c.dir).join('\n'))
  const open = useAppStore((s) => s.openCollection)
  if (folders.length === 0) return null
  const openList = openDirs.split('\n')
  return (
    <ul className="inner-collections" aria-label={`Collections inside ${collection.name}`}>
      {folders.map((folder) => {
        const dir = `${collection.dir}/${folder}`
        const isOpen = openList.includes(dir)
        return (
          <li key={folder} className="inner-collection" role="note">
            <span className="mono">{folder}/</span> is a collection of its own (it has a collection.yaml): its
            requests are not part of {collection.name}
            {isOpen ? (
              ' and it is open below.'
            ) : (
              <>
                .{' '}
                <button
                  type="button"
                  className="link-button small"
                  onClick={() => void open(dir, false)}
                  aria-label={`Open ${folder} as a collection`}
                >
                  Open it
                </button>
              </>
            )}
          </li>
        )
      })}
    </ul>
  )
}
