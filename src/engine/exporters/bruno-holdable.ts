import type { AuthSpec, SavedRequest, Variable } from '../../shared/collection'

/**
 * What a .bru file cannot hold. A `name: value` line has no escapes: Bruno's `'''` fence (a value over several
 * lines) ends at the first `'''` anywhere in it, and a CR ends a line for some readers of the file (ours read a
 * lone CR as one) but not for Bruno. So a value holding either reads back as other fields: a multipart part's
 * value `hi\n'''\nleak: @file(/etc/passwd)\nz: '''\n.` ends its fence early and adds a part that uploads the
 * reader's file; a header value with `\r}\rscript:pre-request {\r` ends the headers block and opens a script. A
 * shared collection can hold such values, and its export goes to people who trust it, so they are not written:
 * the export leaves them out and names them. Text blocks (bodies, scripts, docs) are indented, so they hold both.
 */

function unholdable(text: string): boolean {
  return text.includes("'''") || text.includes('\r')
}

/** Where in `value` (`headers[0].value`) a string sits that a .bru pair cannot hold, or null. */
function findUnholdable(value: unknown, at: string, depth: number): string | null {
  if (typeof value === 'string') return unholdable(value) ? at : null
  // Saved requests are a few levels deep; the bound keeps a hand-made one from recursing far.
  if (depth > 8 || value === null || typeof value !== 'object') return null
  for (const [key, item] of Object.entries(value)) {
    const found = findUnholdable(
      item,
      Array.isArray(value) ? `${at}[${key}]` : at ? `${at}.${key}` : key,
      depth + 1,
    )
    if (found !== null) return found
  }
  return null
}

const WHY = "holds ''' or a CR, which a .bru file cannot hold (it would read back as other fields)"

/** Why `r` cannot be written as a .bru request (one of the values its pairs carry), or null. */
export function unholdableRequest(r: SavedRequest, where: string): string | null {
  // A json or text body goes in a text block, which holds both.
  const body = 'text' in r.body ? { ...r.body, text: '' } : r.body
  const pairs = {
    name: r.name,
    method: r.method,
    url: r.url,
    headers: r.headers,
    disabledParams: r.disabledParams,
    body,
    auth: r.auth,
    extract: r.extract,
    assertions: r.assertions,
  }
  const found = findUnholdable(pairs, '', 0)
  return found === null ? null : `${where}: not exported: its ${found} ${WHY}`
}

/** `vars` without those a .bru file cannot hold, each named in `skipped`. */
export function holdableVariables(vars: readonly Variable[], where: string, skipped: string[]): Variable[] {
  return vars.filter((v) => {
    if (!unholdable(v.name) && !unholdable(v.value)) return true
    skipped.push(
      `${where}: variable "${v.name.replace(/[\r\n]/g, ' ').slice(0, 60)}" not exported: it ${WHY}`,
    )
    return false
  })
}

/** Whether `auth` can be written as a .bru auth block; if not, it is named in `skipped`. */
export function holdableAuth(auth: AuthSpec, where: string, skipped: string[]): boolean {
  const found = findUnholdable(auth, 'auth', 0)
  if (found === null) return true
  skipped.push(`${where}: ${found} not exported: it ${WHY}`)
  return false
}

// eslint-disable-next-line no-control-regex -- the characters a file name may hold that a list of lines cannot
const CONTROLS = /[\x00-\x1f\x7f]/g

/**
 * A file or folder name from disk with its control characters as `%0A`: the export's list of files is one a line,
 * so a name holding a line break would read as two files, and a .bru pair cannot hold a CR.
 */
export function withoutControls(name: string): string {
  return name.replace(CONTROLS, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/** Whether `name` holds a control character (a line break, a tab, an escape). */
export function hasControls(name: string): boolean {
  CONTROLS.lastIndex = 0
  return CONTROLS.test(name)
}

/**
 * A folder's name as a .bru pair holds it: its folder's name on disk when its own cannot be held, with control
 * characters as `%0D` and quotes as `%27` where that name cannot be held either.
 */
export function holdableName(name: string, onDisk: string, where: string, skipped: string[]): string {
  if (!unholdable(name)) return name
  const escaped = withoutControls(onDisk)
  const held = unholdable(escaped) ? escaped.replace(/'/g, '%27') : escaped
  skipped.push(`${withoutControls(where)}: its name is exported as "${held}": the name ${WHY}`)
  return held
}
