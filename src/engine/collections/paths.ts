import { isAbsolute, join, normalize, sep } from 'node:path'

/**
 * Collection paths as text: the names a command may use (`safeRel`), where they are on disk (`absPath`), and
 * the file names made from what a person typed (`slugify`). Whether a path really stays inside once links are
 * followed is ./write-guard.ts's question.
 */

/** What a slug names on disk: a request file's stem, a folder, or an environment file's stem. */
export type SlugKind = 'request' | 'folder' | 'environment'

/**
 * Names that already mean something in a collection folder (`folder.yaml` holds a folder's settings,
 * `collection.yaml` the collection's, `environments/` the environments; the loader skips `node_modules`), so a
 * request or folder named like them would vanish into them. Windows reserves its device names whatever the
 * extension (`con.yaml` cannot be created there), so a collection made on Linux would not check out on Windows.
 */
const RESERVED: Record<SlugKind, ReadonlySet<string>> = {
  request: new Set(['folder', 'collection']),
  folder: new Set(['environments', 'node_modules']),
  environment: new Set(),
}
const WINDOWS_DEVICE =
  /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)$/i

/** Room left for `-NNN` and `.yaml`, well inside the 255 bytes most file systems allow in one name. */
const MAX_SLUG_BYTES = 200
const MAX_SLUG_CHARS = 80
/**
 * Made on first use, not at import: setting up an ICU service costs a process 15-30 ms, which every command
 * that loads the engine (`flightdeck send` among them) would pay without ever naming a file.
 */
let segmenter: Intl.Segmenter | null = null

/** Cut at whole characters as people see them (a letter and its accents stay together), within both limits. */
function cut(slug: string): string {
  let out = ''
  let bytes = 0
  let chars = 0
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  for (const { segment } of segmenter.segment(slug)) {
    const b = Buffer.byteLength(segment, 'utf8')
    if (chars + 1 > MAX_SLUG_CHARS || bytes + b > MAX_SLUG_BYTES) break
    out += segment
    bytes += b
    chars++
  }
  return out
}

/** Whether a slug would be taken for one of the collection's own files, or is a name Windows refuses. */
export function isReservedSlug(slug: string, kind: SlugKind): boolean {
  const lower = slug.toLowerCase()
  const base = lower.split('.')[0] ?? lower
  return RESERVED[kind].has(lower) || WINDOWS_DEVICE.test(base) || lower.endsWith('.fdtmp')
}

/**
 * `Create user!` -> `create-user`, `Пользователи` -> `пользователи`, `注文を作成` -> `注文を作成`: letters and digits of
 * any script are kept (accents on Latin letters are dropped, as people type file names; `й` stays `й`); anything else becomes
 * `-`. Empty or dot-only names become the fallback. A name that is reserved (see RESERVED, WINDOWS_DEVICE) gets
 * its kind added: a request named `folder` is `folder-request.yaml`, a folder named `Environments` is
 * `environments-folder/`, a request named `CON` is `con-request.yaml` (`nul.txt`: `nul-request.txt.yaml`). Trailing dots and spaces (which Windows
 * drops) never end a slug.
 */
export function slugify(name: string, fallback = 'request', kind: SlugKind = 'request'): string {
  const slug = cut(
    name
      .normalize('NFKD')
      .replace(/(\p{Script=Latin})[\u0300-\u036f]+/gu, '$1')
      .normalize('NFC')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}._-]+/gu, '-')
      .replace(/^[-.]+|[-.]+$/g, ''),
  ).replace(/[-.]+$/g, '')
  const out = slug === '' ? fallback : slug
  if (!isReservedSlug(out, kind)) return out
  // Windows looks only at the part before the first dot (`nul.txt` is `nul`), so the kind goes there.
  const dot = out.indexOf('.')
  return dot !== -1 && WINDOWS_DEVICE.test(out.slice(0, dot))
    ? `${out.slice(0, dot)}-${kind}${out.slice(dot)}`
    : `${out}-${kind}`
}

/** A path inside the collection, or null for anything that would leave it (`..`, absolute, NUL). */
export function safeRel(rel: string): string | null {
  if (rel === '') return ''
  if (rel.includes('\0') || rel.includes('\\') || isAbsolute(rel)) return null
  const parts = rel.split('/')
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return null
  return parts.join('/')
}

export function absPath(dir: string, rel: string): string {
  const joined = normalize(join(dir, ...rel.split('/')))
  if (joined !== dir && !joined.startsWith(dir.endsWith(sep) ? dir : dir + sep)) {
    throw new Error(`Path escapes the collection: ${rel}`)
  }
  return joined
}
