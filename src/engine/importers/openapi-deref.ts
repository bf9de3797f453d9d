import { isObj } from './plan'

/**
 * Local `$ref`s replaced by what they point to, in one pass over the document: each target is walked once and
 * every reference to it shares it (nothing is copied), so the work is bounded by the document's size. A `$ref`
 * that leads back to a part it sits inside (a schema that contains itself) stays a `$ref`, as swagger-parser's
 * `circular: 'ignore'` left it, so the result has no cycles. External references were emptied before this
 * (openapi-lenient.ts); one left here is kept as it is, never fetched or read. Every reference is resolved against
 * the document as written before any is replaced (RefResolver), so a chain's length, and whether it passes
 * MAX_REF_HOPS, is the same whichever of its links the walk meets first.
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

/** Where a reference leads, and how many references to references it went through to get there. */
type Resolved = { ok: true; target: unknown; hops: number } | { ok: false; why: 'nowhere' | 'far' }

/**
 * Resolves references against the document as written (before any is replaced), so whether a chain resolves does
 * not depend on which of its links the walk meets first. A reference that resolves is remembered with its target
 * and the hops it took (the same wherever it is reached from), so a long chain is followed once, not once per link.
 */
class RefResolver {
  private readonly resolved = new Map<string, { target: unknown; hops: number }>()
  private readonly pending = new Set<string>()

  constructor(private readonly doc: Obj) {}

  /** `ref`'s target if it lies within `budget` hops; a failure is not remembered (another budget may differ). */
  resolve(ref: string, budget: number): Resolved {
    const known = this.resolved.get(ref)
    if (known) return known.hops <= budget ? { ok: true, ...known } : { ok: false, why: 'far' }
    // Met again while it is being resolved: a loop of references, which no budget ends.
    if (this.pending.has(ref)) return { ok: false, why: 'far' }
    this.pending.add(ref)
    try {
      let made = 0
      let cur: unknown = this.doc
      const follow = (): Resolved | null => {
        for (let inner = localRef(cur); inner !== null; inner = localRef(cur)) {
          if (made + 1 > budget) return { ok: false, why: 'far' }
          const r = this.resolve(inner, budget - made - 1)
          if (!r.ok) return r
          made += 1 + r.hops
          cur = r.target
        }
        return null
      }
      for (const raw of ref.replace(/^#\/?/, '').split('/')) {
        if (raw === '') continue
        const stop = follow()
        if (stop) return stop
        const key = unescapePointer(raw)
        if (Array.isArray(cur)) cur = cur[Number(key)]
        else if (isObj(cur)) cur = cur[key]
        else return { ok: false, why: 'nowhere' }
      }
      const stop = follow()
      if (stop) return stop
      if (cur === undefined) return { ok: false, why: 'nowhere' }
      this.resolved.set(ref, { target: cur, hops: made })
      return { ok: true, target: cur, hops: made }
    } finally {
      this.pending.delete(ref)
    }
  }
}

/** Every local reference in `doc` resolved against it as written, before the walk replaces any. */
function resolveAll(doc: Obj): Map<string, Resolved> {
  const resolver = new RefResolver(doc)
  const out = new Map<string, Resolved>()
  const seen = new Set<Container>()
  const stack: Container[] = [doc]
  while (stack.length > 0) {
    const node = stack.pop() as Container
    if (seen.has(node)) continue
    seen.add(node)
    const ref = localRef(node)
    if (ref !== null && !out.has(ref)) out.set(ref, resolver.resolve(ref, MAX_REF_HOPS))
    for (const child of Object.values(node))
      if (typeof child === 'object' && child !== null) stack.push(child as Container)
  }
  return out
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
  const refs = resolveAll(doc)
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
      const r = refs.get(ref) ?? { ok: false, why: 'nowhere' }
      if (!r.ok) {
        if (r.why === 'far' && unfollowed++ === 0) firstUnfollowed = ref
        continue
      }
      const target = r.target
      if (typeof target !== 'object' || target === null) {
        parent[key] = target
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
