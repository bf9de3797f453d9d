import { isObj } from './plan'

/**
 * Local `$ref`s replaced by what they point to, in one pass over the document: each target is walked once and
 * every reference to it shares it (nothing is copied), so the work is bounded by the document's size. A `$ref`
 * that leads back to a part it sits inside (a schema that contains itself) stays a `$ref`, as swagger-parser's
 * `circular: 'ignore'` left it, so the result has no cycles. External references were emptied before this
 * (openapi-lenient.ts); one left here is kept as it is, never fetched or read.
 *
 * swagger-parser's dereference walked a target again for every path that reached it: a 14 KB document whose
 * schemas each hold 50 references to the next level's took 27 s at four levels and did not end at five.
 */

type Obj = Record<string, unknown>
type Container = Obj | unknown[]

/** A chain of references to references is followed at most this far (`a` -> `b` -> … ); past it, kept. */
const MAX_REF_HOPS = 64

function localRef(node: unknown): string | null {
  return isObj(node) && typeof node['$ref'] === 'string' && node['$ref'].startsWith('#') ? node['$ref'] : null
}

/** The value at a JSON pointer, following references met on the way; undefined when it leads nowhere. */
function resolve(doc: Obj, ref: string, hops = { made: 0 }): unknown {
  let cur: unknown = doc
  const follow = (): boolean => {
    for (let inner = localRef(cur); inner !== null; inner = localRef(cur)) {
      if (++hops.made > MAX_REF_HOPS) return false
      cur = resolve(doc, inner, hops)
    }
    return true
  }
  for (const raw of ref.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue
    if (!follow()) return undefined
    const key = unescapePointer(raw)
    if (Array.isArray(cur)) cur = cur[Number(key)]
    else if (isObj(cur)) cur = cur[key]
    else return undefined
  }
  return follow() ? cur : undefined
}

/** A pointer's token: `~1` is `/`, `~0` is `~`, and a fragment may be percent-encoded. */
function unescapePointer(raw: string): string {
  const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
  try {
    return decodeURIComponent(token)
  } catch {
    return token
  }
}

/**
 * Dereferences `doc` in place and returns it. `notes` gets one line when references were kept because their
 * chain of references to references is longer than MAX_REF_HOPS or loops (an example made from one is empty).
 */
export function dereferenceLocal(doc: Obj, notes?: string[]): Obj {
  let unfollowed = 0
  let firstUnfollowed = ''
  // 1: being walked (on the current path), 2: walked.
  const state = new Map<Container, 1 | 2>()
  const stack: { node: Container; keys: string[]; next: number }[] = []
  const enter = (node: Container): void => {
    state.set(node, 1)
    stack.push({ node, keys: Object.keys(node), next: 0 })
  }
  enter(doc)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number]
    if (frame.next >= frame.keys.length) {
      state.set(frame.node, 2)
      stack.pop()
      continue
    }
    const key = frame.keys[frame.next++] as string
    const parent = frame.node as Obj
    let child = parent[key]
    const ref = localRef(child)
    if (ref !== null) {
      const hops = { made: 0 }
      const target = resolve(doc, ref, hops)
      if (typeof target !== 'object' || target === null) {
        if (target !== undefined) parent[key] = target
        else if (hops.made > MAX_REF_HOPS && unfollowed++ === 0) firstUnfollowed = ref
        continue
      }
      // A target on the current path contains this reference: following it would make a cycle.
      if (state.get(target as Container) === 1) continue
      const { $ref: _ref, ...siblings } = child as Obj
      // OpenAPI 3.1 lets a reference carry its own description or summary: they go over the target's.
      child = Object.keys(siblings).length > 0 && isObj(target) ? { ...target, ...siblings } : target
      parent[key] = child
    }
    if (typeof child === 'object' && child !== null && !state.has(child as Container))
      enter(child as Container)
  }
  if (unfollowed > 0) {
    const which =
      unfollowed > 1
        ? `${unfollowed.toLocaleString('en-US')} "$ref"s (the first: ${firstUnfollowed}) go`
        : `"$ref" ${firstUnfollowed} goes`
    notes?.push(
      `${which} through more than ${MAX_REF_HOPS} references to references, or round a loop of them, and were left unresolved: an example made from one is empty`,
    )
  }
  return doc
}
