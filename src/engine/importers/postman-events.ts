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

/** A scope's scripts, then the ones below it (Postman runs a collection's, then a folder's, then the request's). */
export function inherit(outer: EventScripts, inner: EventScripts, where: string): EventScripts {
  const join = (a: string, b: string): string => (a === '' ? b : b === '' ? a : `${a}\n${b}`)
  const mark = (t: string): string => (t === '' ? '' : `// From ${where}\n${t}`)
  return {
    preRequest: join(outer.preRequest, mark(inner.preRequest)),
    test: join(outer.test, mark(inner.test)),
  }
}

/** Statements that do something (a script of only comments and blank lines is none). */
function hasCode(text: string): boolean {
  return statements(text).length > 0
}

/** Apply a request's scripts (its own and inherited) to it, and say in the report what became of them. */
export function applyScripts(
  req: SavedRequest,
  scripts: EventScripts,
  where: string,
  report: (line: string) => void,
): SavedRequest {
  const pre = hasCode(scripts.preRequest)
  const test = hasCode(scripts.test)
  if (!pre && !test) return req
  const kept: RequestScripts = {}
  if (scripts.preRequest !== '') kept.preRequest = scripts.preRequest
  if (scripts.test !== '') kept.test = scripts.test
  const out: SavedRequest = { ...req }
  let translated = !pre
  if (pre) report(`${where}: pre-request script kept in the file, not run (Flightdeck runs no scripts yet)`)
  if (test) {
    const t = translateTestScript(scripts.test)
    if (t.assertions.length > 0) out.assertions = [...(req.assertions ?? []), ...t.assertions]
    if (t.extract.length > 0) out.extract = [...(req.extract ?? []), ...t.extract]
    const made = [
      t.assertions.length > 0 ? `${t.assertions.length} assertion${t.assertions.length > 1 ? 's' : ''}` : '',
      t.extract.length > 0 ? `${t.extract.length} extraction${t.extract.length > 1 ? 's' : ''}` : '',
    ]
      .filter(Boolean)
      .join(' and ')
    if (t.untranslated.length === 0) {
      report(`${where}: test script translated into ${made}`)
    } else {
      translated = false
      const first = t.untranslated[0] ?? ''
      const more = t.untranslated.length > 1 ? ` and ${t.untranslated.length - 1} more` : ''
      report(
        `${where}: test script ${made ? `partly translated (${made}); ` : ''}kept in the file, not run: ${
          first.length > 80 ? `${first.slice(0, 80)}…` : first
        }${more}`,
      )
    }
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
      const deps = [...usedVariables(n.request)].flatMap((v) => producers.get(v) ?? [])
      if (deps.length > 0) n.dependsOnRefs = [...new Set(deps)]
      for (const x of n.request.extract ?? []) producers.set(x.name, ref)
    }
  }
  walk(children, 0)
}
