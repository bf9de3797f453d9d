/**
 * What the page and the GraphQL schema worker say to each other. The worker holds every schema the composer
 * uses (built from an introspection answer or a `.graphql` file) and answers with plain data: a summary to show,
 * one type's docs at a time, completions and validation marks for a document. Nothing here holds a
 * GraphQLSchema, so the page never parses, builds or walks a schema on its own thread.
 */

/** What the composer shows of a loaded schema, and how the docs start. */
export interface SchemaSummary {
  /** Named types, the introspection's own (`__Type`…) left out. */
  typeCount: number
  /** The root operation types (query, mutation, subscription) that exist. */
  roots: { name: string; description: string | null }[]
  /** Every type's name, the roots too, sorted, at most LISTED_TYPES of them (`typeCount` says how many there are). */
  typeNames: string[]
}

/** Most type names a summary lists (the docs say how many more there are), and a filter's answer holds. */
export const LISTED_TYPES = 500

/** The summary's list of types narrowed by a filter: every type's name, not only the listed ones. */
export interface TypeMatches {
  /** The names holding the filter (any case), sorted, at most LISTED_TYPES of them. */
  names: string[]
  /** How many names hold it. */
  matches: number
}

export interface ArgDoc {
  name: string
  /** As written in SDL, wrappers included: `[Type1!]!`. */
  type: string
  /** The named type inside `type`, a link in the docs. */
  typeName: string
}

export interface FieldDoc extends ArgDoc {
  description: string | null
  args: ArgDoc[]
}

export interface TypeDoc {
  name: string
  description: string | null
  fields: FieldDoc[]
  enumValues: { name: string; description: string | null }[]
}

export interface CompletionDoc {
  label: string
  detail: string
  documentation: string
}

export interface LintMark {
  from: number
  to: number
  severity: 'error' | 'warning' | 'info'
  message: string
}

/** Each operation's payload and answer. `key` names one loaded schema (or one being loaded). */
export interface SchemaOps {
  /** A piece of an introspection answer's text, in order. */
  chunk: [{ key: string; text: string }, null]
  /** The answer is complete: parse it, build the schema, keep it under `key`. */
  introspected: [{ key: string }, SchemaSummary]
  /** Build the schema of an SDL file's text, keep it under `key`. */
  sdl: [{ key: string; sdl: string; source: string }, SchemaSummary]
  /** Forget a schema (and any text received for it). */
  drop: [{ key: string }, null]
  complete: [{ key: string; text: string; offset: number }, CompletionDoc[]]
  diagnose: [{ key: string; text: string }, LintMark[]]
  type: [{ key: string; name: string }, TypeDoc | null]
  /** The names of the summary's list of types (every type, the roots too) that hold `filter`, in any case. */
  types: [{ key: string; filter: string }, TypeMatches]
}

export type SchemaOp = keyof SchemaOps

export interface SchemaRequest<K extends SchemaOp = SchemaOp> {
  id: number
  op: K
  payload: SchemaOps[K][0]
}

export type SchemaReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string }
