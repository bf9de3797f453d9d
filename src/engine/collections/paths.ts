import { isAbsolute, join, normalize, sep } from 'node:path'

/**
 * Collection paths as text: the names a command may use (`safeRel`), where they are on disk (`absPath`), and
 * the file names made from what a person typed (`slugify`). Whether a path really stays inside once links are
 * followed is ./write-guard.ts's question.
 */

/** `Create user!` -> `create-user`. Empty or dot-only names become `request`. */
export function slugify(name: string, fallback = 'request'): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80)
  return slug === '' ? fallback : slug
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
