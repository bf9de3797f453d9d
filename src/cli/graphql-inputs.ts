import type { Readable } from 'node:stream'
import type { GraphqlCliCommand } from './graphql-args'
import type { InputReads } from './input-reads'
import { unresolvedVariable } from './unresolved-variable'

/**
 * What `flightdeck graphql` reads before it sends: `--query`, `--variables` and `--params`, each typed or read
 * from `@file` (a FIFO too, as curl reads one, through `reads` so Ctrl+C stops the read at once).
 */

type Command = Extract<GraphqlCliCommand, { kind: 'graphql' }>

export interface Inputs {
  query: string
  variables: Record<string, unknown> | null
  params: Record<string, unknown> | null
}

/** The `@file` options given (`['--query', '@q.graphql']`), in the order they are read. */
export function fileOptions(c: Command): [string, string][] {
  const given: [string, string | null][] = [
    ['--query', c.query],
    ['--variables', c.variables],
    ['--params', c.connectionParams],
  ]
  return given.filter((g): g is [string, string] => g[1] !== null && /^@./.test(g[1]))
}

export async function readInputs(c: Command, reads: InputReads): Promise<Inputs | string> {
  let query = c.query
  if (c.introspect) {
    const { getIntrospectionQuery } = await import('graphql')
    query = getIntrospectionQuery({ descriptions: true })
  }
  const q = await textOf(query, '--query', reads)
  if (!q.ok) return q.message
  const vars = c.variables === null ? null : await jsonObject(c.variables, '--variables', reads)
  if (typeof vars === 'string') return vars
  const params = c.connectionParams === null ? null : await jsonObject(c.connectionParams, '--params', reads)
  if (typeof params === 'string') return params
  return { query: q.text, variables: vars, params }
}

async function textOf(
  given: string,
  what: string,
  reads: InputReads,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  if (!given.startsWith('@')) return { ok: true, text: given }
  try {
    const text = await readAll(await reads.open(given.slice(1)))
    // Its {{variables}} are refused as typed ones are: a plain graphql command has none to give them.
    const unresolved = unresolvedVariable('graphql', [[`the ${what} file ${given.slice(1)}`, text]])
    return unresolved === null ? { ok: true, text } : { ok: false, message: unresolved }
  } catch (e) {
    return {
      ok: false,
      message: `cannot read ${what} file ${given.slice(1)}: ${e instanceof Error ? e.message : String(e)}`,
    }
  }
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of input as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function jsonObject(
  given: string,
  what: string,
  reads: InputReads,
): Promise<Record<string, unknown> | string> {
  const t = await textOf(given, what, reads)
  if (!t.ok) return t.message
  try {
    const v: unknown = JSON.parse(t.text)
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
  } catch (e) {
    return `${what} is not JSON: ${e instanceof Error ? e.message : String(e)}`
  }
  return `${what} must be a JSON object`
}
