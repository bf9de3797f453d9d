import type { Readable } from 'node:stream'
import type { GraphqlCliCommand } from './graphql-args'
import type { InputReads } from './input-reads'
import { MAX_STDIN_BODY_BYTES } from './stdin-body'
import { unresolvedVariable } from './unresolved-variable'
import { sizeLimit } from './byte-words'

/**
 * The most of a file `--query @file` takes: 1 MiB. A query is text a person or a code generator writes; large
 * generated ones are tens of KB, and servers refuse far less (a body-parser's default is 100 KB, graphql-js
 * counts tokens). A bigger file is the wrong file (`@/dev/zero`, a schema dump, a log), read whole into memory
 * before this limit: refused, not sent.
 */
export const MAX_QUERY_FILE_BYTES = 1024 * 1024
/** `--variables @file` and `--params @file` are data, so they take what a body read whole takes (64 MiB). */
const MAX_JSON_FILE_BYTES = MAX_STDIN_BODY_BYTES

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
  // --literal-braces: a file's braces are not looked for either.
  const look = c.literalBraces !== true
  const q = await textOf(query, '--query', reads, MAX_QUERY_FILE_BYTES, look)
  if (!q.ok) return q.message
  const vars = c.variables === null ? null : await jsonObject(c.variables, '--variables', reads, look)
  if (typeof vars === 'string') return vars
  const params =
    c.connectionParams === null ? null : await jsonObject(c.connectionParams, '--params', reads, look)
  if (typeof params === 'string') return params
  return { query: q.text, variables: vars, params }
}

async function textOf(
  given: string,
  what: string,
  reads: InputReads,
  limit: number,
  lookForVariables: boolean,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  if (!given.startsWith('@')) return { ok: true, text: given }
  try {
    const text = await readAll(await reads.open(given.slice(1)), limit)
    if (text === null)
      return {
        ok: false,
        message: `the ${what} file ${given.slice(1)} is longer than ${what} may be: at most ${sizeLimit(limit)}; nothing was sent`,
      }
    // Its {{variables}} are refused as typed ones are: a plain graphql command has none to give them.
    const unresolved = lookForVariables
      ? unresolvedVariable('graphql', [[`the ${what} file ${given.slice(1)}`, text]], 'read')
      : null
    return unresolved === null ? { ok: true, text } : { ok: false, message: unresolved }
  } catch (e) {
    return {
      ok: false,
      message: `cannot read ${what} file ${given.slice(1)}: ${e instanceof Error ? e.message : String(e)}`,
    }
  }
}

/** The whole of `input` as text, or null past `limit` bytes (the read then stopped). */
async function readAll(input: Readable, limit: number): Promise<string | null> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of input as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (bytes > limit) {
      input.destroy()
      return null
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function jsonObject(
  given: string,
  what: string,
  reads: InputReads,
  lookForVariables: boolean,
): Promise<Record<string, unknown> | string> {
  const t = await textOf(given, what, reads, MAX_JSON_FILE_BYTES, lookForVariables)
  if (!t.ok) return t.message
  try {
    const v: unknown = JSON.parse(t.text)
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
  } catch (e) {
    return `${what} is not JSON: ${e instanceof Error ? e.message : String(e)}`
  }
  return `${what} must be a JSON object`
}
