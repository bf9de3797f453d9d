import type { Assertion } from '../../shared/run-spec'
import { resolveTemplate, type DynamicValues } from '../../shared/template'

/**
 * An assertion's texts may name variables (`equals: "{{userId}}"`, a header named `{{traceHeader}}`), as the
 * Tests tab's fields offer them: they resolve with the step's variables before the response is checked, so a
 * run compares values, never the literal `{{name}}`. A variable with no value is reported, and the step
 * fails without pretending the check was made.
 */

export interface ResolvedAssertions {
  assertions: Assertion[]
  unknown: string[]
}

const NO_NAMES: string[] = []
/**
 * A step's assertion list is the same array every run of the step: one without templates resolves to itself,
 * found here (no scan, nothing made) from its second run on.
 */
const withoutTemplates = new WeakMap<Assertion[], ResolvedAssertions>()

export function resolveAssertions(
  list: Assertion[],
  vars: ReadonlyMap<string, string>,
  dyn: DynamicValues | undefined,
): ResolvedAssertions {
  let plain = withoutTemplates.get(list)
  if (plain) return plain
  if (!list.some(hasTemplate)) {
    plain = { assertions: list, unknown: NO_NAMES }
    withoutTemplates.set(list, plain)
    return plain
  }
  const unknown: string[] = []
  // A Set, not the list: a step's 1,000 assertions of 64 KiB each can name millions of unknown variables, and
  // checking each against the list found so far took minutes (80,000 names: 17 s).
  const seen = new Set<string>()
  const text = (t: string): string => {
    if (!t.includes('{{')) return t
    const r = resolveTemplate(t, vars, dyn)
    for (const n of r.unknown) {
      if (seen.has(n)) continue
      seen.add(n)
      unknown.push(n)
    }
    return r.text
  }
  const assertions = list.map((a): Assertion => {
    switch (a.kind) {
      case 'header':
        return {
          ...a,
          name: text(a.name),
          ...(a.equals !== undefined ? { equals: text(a.equals) } : {}),
          ...(a.contains !== undefined ? { contains: text(a.contains) } : {}),
        }
      case 'json':
        return {
          ...a,
          path: text(a.path),
          ...(typeof a.equals === 'string' ? { equals: text(a.equals) } : {}),
        }
      case 'body-contains':
        return { ...a, text: text(a.text) }
      default:
        return a
    }
  })
  return { assertions, unknown }
}

function hasTemplate(a: Assertion): boolean {
  switch (a.kind) {
    case 'header':
      return [a.name, a.equals, a.contains].some((t) => t?.includes('{{'))
    case 'json':
      return a.path.includes('{{') || (typeof a.equals === 'string' && a.equals.includes('{{'))
    case 'body-contains':
      return a.text.includes('{{')
    default:
      return false
  }
}
