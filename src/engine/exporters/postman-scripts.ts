import type { RequestScripts, SavedRequest } from '../../shared/collection'
import type { Assertion, Extraction } from '../../shared/run-spec'
import { translateTestScript } from '../importers/postman-scripts'

/**
 * A request's checks as Postman test script, so Postman and newman make the same checks a Flightdeck run
 * makes: each assertion a `pm.test`, each extraction a `pm.environment.set` (an environment value wins over
 * a collection variable in Postman, as an extracted value does in a run). The lines are the shapes the
 * importer translates back, so a round trip keeps the checks. A script kept from an import goes out as it
 * was, with only the checks it does not already make added after it.
 */

const q = (s: string): string => JSON.stringify(s)

/** `$.a.b[0]['x y']` -> `pm.response.json().a.b[0]["x y"]`; null for JSONPath a JS accessor cannot say. */
export function jsAccessor(path: string, optional = false): string | null {
  if (!path.startsWith('$')) return null
  let rest = path.slice(1)
  let out = 'pm.response.json()'
  const dot = optional ? '?.' : '.'
  for (let i = 0; i < 64 && rest.length > 0; i++) {
    const m = /^(?:\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/.exec(rest)
    if (!m) return null
    if (m[1] !== undefined) out += `${dot}${m[1]}`
    else if (m[2] !== undefined) out += `${optional ? '?.' : ''}[${m[2]}]`
    else out += `${optional ? '?.' : ''}[${q((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'))}]`
    rest = rest.slice(m[0].length)
  }
  return rest === '' ? out : null
}

function test(name: string, body: string): string {
  return `pm.test(${q(name)}, function () {\n    ${body};\n});`
}

/** One assertion as a `pm.test`, or null when Postman has nothing that checks the same. */
export function assertionScript(a: Assertion): string | null {
  switch (a.kind) {
    case 'status':
      if (a.equals !== undefined)
        return test(`status equals ${a.equals}`, `pm.response.to.have.status(${a.equals})`)
      if (a.oneOf)
        return test(
          `status one of ${a.oneOf.join(', ')}`,
          `pm.expect(pm.response.code).to.be.oneOf([${a.oneOf.join(', ')}])`,
        )
      return test(
        `status ${a.min ?? 100}-${a.max ?? 999}`,
        `pm.expect(pm.response.code).to.be.within(${a.min ?? 100}, ${a.max ?? 999})`,
      )
    case 'header':
      if (a.exists === false)
        return test(`header ${a.name} is absent`, `pm.response.to.not.have.header(${q(a.name)})`)
      if (a.equals !== undefined)
        return test(
          `header ${a.name} equals ${q(a.equals)}`,
          `pm.response.to.have.header(${q(a.name)}, ${q(a.equals)})`,
        )
      if (a.contains !== undefined)
        return test(
          `header ${a.name} contains ${q(a.contains)}`,
          `pm.expect(pm.response.headers.get(${q(a.name)})).to.include(${q(a.contains)})`,
        )
      return test(`header ${a.name} exists`, `pm.response.to.have.header(${q(a.name)})`)
    case 'json': {
      if (a.exists === false) {
        const at = jsAccessor(a.path, true)
        return at === null ? null : test(`${a.path} does not exist`, `pm.expect(${at}).to.be.undefined`)
      }
      const at = jsAccessor(a.path)
      if (at === null) return null
      if (a.exists === true) return test(`${a.path} exists`, `pm.expect(${at}).to.not.be.undefined`)
      return test(
        `${a.path} equals ${JSON.stringify(a.equals ?? null)}`,
        `pm.expect(${at}).to.eql(${JSON.stringify(a.equals ?? null)})`,
      )
    }
    case 'body-contains':
      return test(`body contains ${q(a.text)}`, `pm.expect(pm.response.text()).to.include(${q(a.text)})`)
    case 'duration-under':
      return test(`duration under ${a.ms} ms`, `pm.expect(pm.response.responseTime).to.be.below(${a.ms})`)
    case 'message-count':
    case 'grpc-status':
      return null
  }
}

/** One extraction as a `pm.environment.set`, or null when it cannot be said in Postman. */
export function extractionScript(x: Extraction): string | null {
  switch (x.from) {
    case 'json': {
      const at = jsAccessor(x.path)
      return at === null ? null : `pm.environment.set(${q(x.name)}, ${at});`
    }
    case 'header':
      return `pm.environment.set(${q(x.name)}, pm.response.headers.get(${q(x.header)}));`
    case 'regex': {
      // As a run takes it: group 1 by default, or the whole match when the pattern has no group.
      const groups = (new RegExp(`${x.pattern}|`).exec('')?.length ?? 1) - 1
      const group = x.group ?? (groups > 0 ? 1 : 0)
      return `pm.environment.set(${q(x.name)}, pm.response.text().match(new RegExp(${q(x.pattern)}))?.[${group}]);`
    }
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Items of `all` not covered by `made` (each item of `made` covers one equal item). */
function notIn<T>(all: readonly T[], made: readonly T[]): T[] {
  const left = [...made]
  return all.filter((x) => {
    const at = left.findIndex((m) => same(m, x))
    if (at === -1) return true
    left.splice(at, 1)
    return false
  })
}

/** A request's Postman events (pre-request, test) and the checks that could not be said in Postman. */
export function requestEvents(req: SavedRequest): { events: Record<string, unknown>[]; skipped: string[] } {
  const skipped: string[] = []
  const events: Record<string, unknown>[] = []
  const kept = req.scripts
  if (kept?.preRequest) events.push(event('prerequest', kept.preRequest))
  // The kept test script already makes the checks it was translated into: only the others are added.
  const made = kept?.test ? translateTestScript(kept.test) : { assertions: [], extract: [] }
  const lines: string[] = []
  for (const x of notIn(req.extract ?? [], made.extract)) {
    const line = extractionScript(x)
    if (line === null) skipped.push(`extract ${x.name}: its JSONPath cannot be written as a Postman script`)
    else lines.push(line)
  }
  for (const a of notIn(req.assertions ?? [], made.assertions)) {
    const line = assertionScript(a)
    if (line === null) skipped.push(`assertion ${a.kind}: Postman has no script for it`)
    else lines.push(line)
  }
  const parts = [kept?.test ?? '', lines.join('\n')].filter((t) => t !== '')
  if (parts.length > 0) events.push(event('test', parts.join('\n')))
  return { events, skipped }
}

/** A collection's or folder's own scripts as its Postman `event` list (Postman runs them at that level too). */
export function levelEvents(scripts: RequestScripts | undefined): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = []
  if (scripts?.preRequest) events.push(event('prerequest', scripts.preRequest))
  if (scripts?.test) events.push(event('test', scripts.test))
  return events
}

function event(listen: 'prerequest' | 'test', text: string): Record<string, unknown> {
  return { listen, script: { type: 'text/javascript', exec: text.split('\n') } }
}
