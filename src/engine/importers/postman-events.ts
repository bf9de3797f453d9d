import type { RequestScripts, SavedRequest } from '../../shared/collection'
import { arr, isObj, str, type PlanNode } from './plan'
import { statements, translateTestScript } from './postman-scripts'

/**
 * A Postman item's `event` list (pre-request and test scripts) onto a Flightdeck request: the test script's
 * recognised lines become extractions and assertions, every script's text is kept in the `scripts:` block, and
 * the report says which were translated and which were kept for later. Scripts of the folders and the
 * collection above a request run for it in Postman, so they are carried down to it (their text marked with
 * where it came from).
 */

export interface EventScripts {
  preRequest: string
  test: string
}

export const NO_SCRIPTS: EventScripts = { preRequest: '', test: '' }

/** The pre-request and test script texts of an `event` list ('' when there is none). */
export function eventScripts(v: unknown): EventScripts {
  const out = { preRequest: '', test: '' }
  for (const e of arr(v).filter(isObj)) {
    if (e['disabled'] === true) continue
    const script = isObj(e['script']) ? e['script'] : {}
    const text = (
      Array.isArray(script['exec']) ? script['exec'].map((l) => str(l)).join('\n') : str(script['exec'])
    ).trim()
    if (text === '') continue
    const listen = str(e['listen'])
    if (listen === 'prerequest') out.preRequest = out.preRequest ? `${out.preRequest}\n${text}` : text
    else if (listen === 'test') out.test = out.test ? `${out.test}\n${text}` : text
  }
  return out
}

/**
 * A scope's scripts, then the ones below it (Postman runs a collection's, then a folder's, then the request's).
 * Carried-down text is marked with where it came from; a request's own text is marked only when something
 * came before it.
 */
export function inherit(
  outer: EventScripts,
  inner: EventScripts,
  where: string,
  isScope: boolean,
): EventScripts {
  const part = (a: string, b: string): string => {
    if (b === '') return a
    const marked = isScope || a !== '' ? `// From ${where}\n${b}` : b
    return a === '' ? marked : `${a}\n${marked}`
  }
  return { preRequest: part(outer.preRequest, inner.preRequest), test: part(outer.test, inner.test) }
}

/** Statements that do something (a script of only comments and blank lines is none). */
function hasCode(text: string): boolean {
  return text !== '' && statements(text).length > 0
}

/** Say in the report what becomes of one scope's own scripts (`below`: they run for the requests under it). */
export function reportScripts(
  scripts: EventScripts,
  where: string,
  report: (line: string) => void,
  below = false,
): void {
  const scope = below ? ' (runs for every request below it)' : ''
  if (hasCode(scripts.preRequest))
    report(`${where}: pre-request script${scope} kept in the file; it runs in the script sandbox`)
  if (!hasCode(scripts.test)) return
  const t = translateTestScript(scripts.test)
  const count = (n: number, what: string): string => (n > 0 ? `${n} ${what}${n > 1 ? 's' : ''}` : '')
  const made = [count(t.assertions.length, 'assertion'), count(t.extract.length, 'extraction')]
    .filter(Boolean)
    .join(' and ')
  if (t.untranslated.length === 0) {
    report(`${where}: test script${scope} translated into ${made}`)
    return
  }
  const first = t.untranslated[0] ?? ''
  const more = t.untranslated.length > 1 ? ` and ${t.untranslated.length - 1} more` : ''
  report(
    `${where}: test script${scope} ${made ? `partly translated (${made}); ` : ''}kept in the file; it runs in the script sandbox (not translated: ${
      first.length > 80 ? `${first.slice(0, 80)}…` : first
    }${more})`,
  )
}

/** Apply a request's scripts (its own and the ones carried down to it) to it. */
export function applyScripts(req: SavedRequest, scripts: EventScripts): SavedRequest {
  const pre = hasCode(scripts.preRequest)
  const test = hasCode(scripts.test)
  if (!pre && !test) return req
  const kept: RequestScripts = {}
  if (scripts.preRequest !== '') kept.preRequest = scripts.preRequest
  if (scripts.test !== '') kept.test = scripts.test
  const out: SavedRequest = { ...req }
  let translated = !pre
  if (test) {
    const t = translateTestScript(scripts.test)
    if (t.assertions.length > 0) out.assertions = [...(req.assertions ?? []), ...t.assertions]
    if (t.extract.length > 0) out.extract = [...(req.extract ?? []), ...t.extract]
    if (t.untranslated.length > 0) translated = false
  }
  kept.translated = translated
  out.scripts = kept
  return out
}

/** Every `{{name}}` a request sends (URL, headers, body, auth). */
function usedVariables(req: SavedRequest): Set<string> {
  const text = JSON.stringify([req.url, req.headers, req.body, req.auth])
  const out = new Set<string>()
  for (const m of text.matchAll(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g)) out.add(m[1] ?? '')
  return out
}

/**
 * A request that uses a variable an earlier request extracts depends on that request (the last one before it
 * that sets it), as Postman's runner order made it. Refs are given to every request in depth-first order.
 */
export function linkDependencies(children: PlanNode[]): void {
  const producers = new Map<string, string>()
  let next = 0
  const walk = (nodes: PlanNode[], depth: number): void => {
    if (depth > 64) return
    for (const n of nodes) {
      if (n.type === 'folder') {
        walk(n.folder.children, depth + 1)
        continue
      }
      const ref = `postman-${next++}`
      n.ref = ref
      // Until some request extracts a variable there is nothing to depend on (most collections: no request).
      const deps =
        producers.size === 0 ? [] : [...usedVariables(n.request)].flatMap((v) => producers.get(v) ?? [])
      if (deps.length > 0) n.dependsOnRefs = [...new Set(deps)]
      for (const x of n.request.extract ?? []) producers.set(x.name, ref)
    }
  }
  walk(children, 0)
}
