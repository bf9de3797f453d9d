import type { RequestScripts, SavedRequest } from '../../shared/collection'
import { arr, isObj, str, type PlanNode } from './plan'
import { statements, translateTestScript } from './postman-scripts'

/**
 * A Postman item's `event` list (pre-request and test scripts) onto a Flightdeck request: the test script's
 * recognised lines become extractions and assertions, every script's text is kept in the `scripts:` block, and
 * the report says which were translated and which were kept for later. Scripts of the folders and the
 * collection stay at their level (folder.yaml, collection.yaml), where they run for every request below them.
 */

export interface EventScripts {
  preRequest: string
  test: string
}

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
 * A collection's or folder's own scripts as its file keeps them (collection.yaml, folder.yaml), where they run
 * for every request below it, in the sandbox: they are not translated into checks, which would be copied into
 * every request below (and named unlike the script's tests, which newman and Postman report by name).
 */
export function levelScripts(own: EventScripts): RequestScripts | undefined {
  if (!hasCode(own.preRequest) && !hasCode(own.test)) return undefined
  const kept: RequestScripts = {}
  if (own.preRequest !== '') kept.preRequest = own.preRequest
  if (own.test !== '') kept.test = own.test
  return { ...kept, translated: false }
}

/** Statements that do something (a script of only comments and blank lines is none). */
function hasCode(text: string): boolean {
  return text !== '' && statements(text).length > 0
}

/**
 * Say in the report what becomes of one scope's own scripts (`file`: the collection's or folder's file that keeps
 * them, for scripts that run for the requests under it).
 */
export function reportScripts(
  scripts: EventScripts,
  where: string,
  report: (line: string) => void,
  file?: string,
): void {
  const scope = file ? ' (runs for every request below it)' : ''
  const kept = `kept in ${file ?? 'the file'}`
  if (hasCode(scripts.preRequest))
    report(`${where}: pre-request script${scope} ${kept}; it runs in the script sandbox`)
  if (!hasCode(scripts.test)) return
  if (file) {
    report(`${where}: test script${scope} ${kept}; it runs in the script sandbox`)
    return
  }
  const t = translateTestScript(scripts.test)
  const count = (n: number, what: string): string => (n > 0 ? `${n} ${what}${n > 1 ? 's' : ''}` : '')
  const made = [count(t.assertions.length, 'assertion'), count(t.extract.length, 'extraction')]
    .filter(Boolean)
    .join(' and ')
  if (t.untranslated.length === 0) {
    report(`${where}: test script translated into ${made}`)
    return
  }
  const first = t.untranslated[0] ?? ''
  const more = t.untranslated.length > 1 ? ` and ${t.untranslated.length - 1} more` : ''
  report(
    `${where}: test script ${made ? `partly translated (${made}); ` : ''}${kept}; it runs in the script sandbox (not translated: ${
      first.length > 80 ? `${first.slice(0, 80)}…` : first
    }${more})`,
  )
}

/** Apply a request's own scripts to it (its collection's and folders' stay at their level). */
export function applyScripts(req: SavedRequest, scripts: EventScripts): SavedRequest {
  const out: SavedRequest = { ...req }
  const pre = hasCode(scripts.preRequest)
  const test = hasCode(scripts.test)
  if (!pre && !test) return out
  const kept: RequestScripts = {}
  if (scripts.preRequest !== '') kept.preRequest = scripts.preRequest
  if (scripts.test !== '') kept.test = scripts.test
  let translated = !pre
  if (test) {
    const t = translateTestScript(scripts.test)
    if (t.assertions.length > 0) out.assertions = [...(out.assertions ?? []), ...t.assertions]
    if (t.extract.length > 0) out.extract = [...(out.extract ?? []), ...t.extract]
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
