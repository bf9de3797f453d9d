import type { SavedRequest } from '../../shared/collection'
import type { SavedGraphql } from '../../shared/graphql-saved'
import type { ImportPlan, PlanNode } from '../importers/plan'

/**
 * Imported requests that are GraphQL become GraphQL requests, whatever tool they came from: a POST whose body is
 * GraphQL-over-HTTP parameters (`{ query, variables?, operationName? }`, as Insomnia's GraphQL bodies, Bruno's
 * and Hoppscotch's are exported, or a raw JSON body written by hand) gets `kind: graphql` with its query and
 * variables, so it opens in the GraphQL composer and sends the same. Anything else is left as it was. The
 * importers' notes that a GraphQL body came in as JSON text go with the requests they were about.
 */
export function graphqlRequests(plan: ImportPlan): ImportPlan {
  let converted = 0
  let left = 0
  const walk = (nodes: PlanNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'folder') walk(n.folder.children)
      else if (candidate(n.request)) {
        const g = graphqlOf(n.request)
        if (g) {
          n.request = g
          converted++
        } else if (n.request.body.kind === 'text') left++
      }
    }
  }
  walk(plan.children)
  // Every GraphQL body the notes were about (a body typed as GraphQL) is a GraphQL request now: they no longer hold.
  if (converted > 0 && left === 0)
    plan.unmapped = plan.unmapped.filter(
      (l) => !/GraphQL body imported as (its JSON text|a JSON body)/.test(l),
    )
  return plan
}

const GRAPHQL_DOC = /^\s*(#[^\n]*\n\s*)*(query|mutation|subscription|fragment|\{)/
const PARAM_KEYS = new Set(['query', 'variables', 'operationName'])

function candidate(r: SavedRequest): boolean {
  if (r.kind !== 'http' || r.method.toUpperCase() !== 'POST') return false
  return r.body.kind === 'json' || (r.body.kind === 'text' && /graphql/i.test(r.body.contentType))
}

function graphqlOf(r: SavedRequest): SavedRequest | null {
  const body = r.body
  if (body.kind !== 'json' && body.kind !== 'text') return null
  let v: unknown
  try {
    v = JSON.parse(body.text)
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null
  const o = v as Record<string, unknown>
  if (!Object.keys(o).every((k) => PARAM_KEYS.has(k))) return null
  const query = o['query']
  if (typeof query !== 'string' || !GRAPHQL_DOC.test(query)) return null
  const vars = o['variables']
  const hasVars = typeof vars === 'object' && vars !== null && Object.keys(vars).length > 0
  const op = typeof o['operationName'] === 'string' && o['operationName'] ? o['operationName'] : undefined
  // The body's own Content-Type goes: the GraphQL request sends JSON and says so itself.
  const headers = r.headers.filter(
    (h) => !(h.name.toLowerCase() === 'content-type' && /graphql/i.test(h.value)),
  )
  return {
    ...r,
    kind: 'graphql',
    headers,
    body: { kind: 'none' },
    graphql: {
      query,
      ...(hasVars ? { variables: JSON.stringify(vars, null, 2) } : {}),
      ...(op ? { operationName: op } : {}),
    },
  }
}

/**
 * A GraphQL request's block from the texts another tool keeps (Bruno's `body:graphql` and `body:graphql:vars`,
 * OpenCollection's `body.query`/`variables`, Hoppscotch's `query`/`variables`). The variables stay the text as
 * written, so `{{variables}}` inside them (not JSON until filled in) survive; an empty `{}` is left out. Text
 * that is not JSON even with its variables set aside is kept too, and the report says so.
 */
export function graphqlFromTexts(
  query: string,
  variables: string | undefined,
  where: string,
  unmapped: string[],
): SavedGraphql {
  const vars = variables?.trim() ?? ''
  const kept = vars !== '' && !/^\{\s*\}$/.test(vars)
  if (kept && !jsonOnceFilled(vars))
    unmapped.push(`${where}: GraphQL variables are not a JSON object; kept as written`)
  return { query: query.replace(/\s+$/, ''), ...(kept ? { variables: vars } : {}) }
}

/** Whether a text is a JSON object once each `{{name}}` is a value (a number stands in for each). */
function jsonOnceFilled(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text.replace(/\{\{[^{}]*\}\}/g, '0'))
    return typeof v === 'object' && v !== null && !Array.isArray(v)
  } catch {
    return false
  }
}

/**
 * OpenCollection's GraphQL body: `{ query, variables }`, or a list of named variants of it (the selected one,
 * else the first, is imported; the report names the others).
 */
export function openCollectionGraphql(body: unknown, where: string, unmapped: string[]): SavedGraphql {
  const obj = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  let b = obj(body)
  if (Array.isArray(body)) {
    const variants = body.map(obj)
    const picked = variants.find((v) => v['selected'] === true) ?? variants[0] ?? {}
    const others = variants.filter((v) => v !== picked).map((v) => String(v['title'] ?? '(untitled)'))
    if (others.length > 0)
      unmapped.push(`${where}: GraphQL body variants ${others.join(', ')} not kept (one body per request)`)
    b = obj(picked['body'])
  }
  const text = (v: unknown): string => (typeof v === 'string' ? v : '')
  const vars = b['variables']
  return graphqlFromTexts(
    text(b['query']),
    typeof vars === 'object' && vars !== null ? JSON.stringify(vars, null, 2) : text(vars),
    where,
    unmapped,
  )
}
