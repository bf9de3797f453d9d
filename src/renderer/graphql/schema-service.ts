import {
  buildClientSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  validateSchema,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLSchema,
  type GraphQLType,
  type IntrospectionQuery,
} from 'graphql'
import {
  getAutocompleteSuggestions,
  getDiagnostics,
  offsetToPosition,
  Position,
} from 'graphql-language-service'
import { schemaFromSdl } from '../../shared/graphql-sdl'
import { documentAsSent } from './document-as-sent'
import {
  LISTED_TYPES,
  type CompletionDoc,
  type LintMark,
  type SchemaOp,
  type SchemaOps,
  type SchemaSummary,
  type TypeDoc,
  type TypeMatches,
} from './schema-protocol'

/**
 * The schema worker's work, kept free of worker plumbing so it runs the same wherever it is called: in the
 * GraphQL schema worker (schema.worker.ts) in the app, in-process under the Node tests. It keeps the schemas
 * by key and answers with plain data (schema-protocol.ts).
 */

const SEVERITIES = ['error', 'warning', 'info'] as const

export class SchemaService {
  private readonly schemas = new Map<string, GraphQLSchema>()
  private readonly texts = new Map<string, string[]>()
  /** Each schema's list of types (every named type, its roots too), sorted, and the same in lower case for filters. */
  private readonly listed = new Map<string, { names: string[]; lower: string[] }>()

  handle<K extends SchemaOp>(op: K, payload: SchemaOps[K][0]): SchemaOps[K][1] {
    // Each case's payload and answer are SchemaOps[op]; TypeScript does not narrow a generic key.
    const p = payload as never
    switch (op) {
      case 'chunk':
        return this.chunk(p) as SchemaOps[K][1]
      case 'introspected':
        return this.introspected(p) as SchemaOps[K][1]
      case 'sdl':
        return this.sdl(p) as SchemaOps[K][1]
      case 'drop':
        return this.drop(p) as SchemaOps[K][1]
      case 'complete':
        return this.complete(p) as SchemaOps[K][1]
      case 'diagnose':
        return this.diagnose(p) as SchemaOps[K][1]
      case 'type':
        return this.type(p) as SchemaOps[K][1]
      case 'types':
        return this.types(p) as SchemaOps[K][1]
      default:
        throw new Error(`Unknown schema operation ${String(op)}`)
    }
  }

  private chunk({ key, text }: SchemaOps['chunk'][0]): null {
    const parts = this.texts.get(key) ?? []
    parts.push(text)
    this.texts.set(key, parts)
    return null
  }

  private introspected({ key }: SchemaOps['introspected'][0]): SchemaSummary {
    const text = (this.texts.get(key) ?? []).join('')
    this.texts.delete(key)
    let value: { data?: IntrospectionQuery; errors?: { message?: string }[] }
    try {
      value = JSON.parse(text) as typeof value
    } catch (e) {
      throw new Error(`Introspection failed: the answer is not JSON (${messageOf(e)})`)
    }
    if (!value?.data?.__schema) {
      const why = value?.errors?.[0]?.message ?? 'the answer has no schema'
      throw new Error(`Introspection failed: ${why}`)
    }
    let schema: GraphQLSchema
    try {
      schema = buildClientSchema(value.data)
    } catch (e) {
      throw new Error(`Introspection failed: ${messageOf(e)}`)
    }
    return this.keep(key, schema)
  }

  private sdl({ key, sdl, source }: SchemaOps['sdl'][0]): SchemaSummary {
    const built = schemaFromSdl(sdl, source)
    if (!built.ok) throw new Error(built.error.message)
    return this.keep(key, built.value)
  }

  private drop({ key }: SchemaOps['drop'][0]): null {
    this.schemas.delete(key)
    this.texts.delete(key)
    this.listed.delete(key)
    return null
  }

  private keep(key: string, schema: GraphQLSchema): SchemaSummary {
    this.schemas.set(key, schema)
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
      (t): t is NonNullable<typeof t> => t !== null && t !== undefined,
    )
    // The roots are listed too, as in GraphiQL's "All Schema Types": the docs then count what the schema line
    // counts, where leaving them out had the two differ by the roots.
    const listed = Object.keys(schema.getTypeMap())
      .filter((n) => !n.startsWith('__'))
      .sort()
    this.listed.set(key, { names: listed, lower: listed.map((n) => n.toLowerCase()) })
    return {
      typeCount: listed.length,
      roots: roots.map((t) => ({ name: t.name, description: t.description ?? null })),
      typeNames: listed.slice(0, LISTED_TYPES),
    }
  }

  private types({ key, filter }: SchemaOps['types'][0]): TypeMatches {
    this.schema(key)
    const listed = this.listed.get(key) ?? { names: [], lower: [] }
    const needle = filter.trim().toLowerCase()
    const names: string[] = []
    let matches = 0
    for (let i = 0; i < listed.lower.length; i++) {
      if (!(listed.lower[i] as string).includes(needle)) continue
      matches++
      if (names.length < LISTED_TYPES) names.push(listed.names[i] as string)
    }
    return { names, matches }
  }

  private schema(key: string): GraphQLSchema {
    const schema = this.schemas.get(key)
    if (!schema) throw new Error('That schema is no longer loaded')
    return schema
  }

  private complete({ key, text, offset }: SchemaOps['complete'][0]): CompletionDoc[] {
    const at = offsetToPosition(text, offset)
    return getAutocompleteSuggestions(this.schema(key), text, new Position(at.line, at.character)).map(
      (item) => ({
        label: item.label,
        detail: item.detail ?? '',
        documentation:
          (typeof item.documentation === 'string' ? item.documentation : '') ||
          (item.isDeprecated ? (item.deprecationReason ?? '') : ''),
      }),
    )
  }

  /** The marks of the document as Send parses it (document-as-sent.ts), drawn on the text as typed. */
  private diagnose({ key, text: typed }: SchemaOps['diagnose'][0]): LintMark[] {
    const schema = this.schema(key)
    // A schema that does not validate would mark every line: the editor says nothing rather than noise.
    if (validateSchema(schema).length > 0) return []
    const asSent = documentAsSent(typed)
    const text = asSent.text
    const starts = lineStarts(text)
    const offsetOf = (line: number, character: number): number =>
      Math.min(text.length, (starts[line] ?? text.length) + character)
    const marks: LintMark[] = []
    for (const d of getDiagnostics(text, schema)) {
      if (!d.severity) continue
      const from = Math.max(0, offsetOf(d.range.start.line, d.range.start.character))
      const end = Math.min(text.length, offsetOf(d.range.end.line, d.range.end.character))
      const to = Math.max(end, Math.min(from + 1, text.length))
      if (asSent.touchesVariable(from, to)) continue
      marks.push({
        from: asSent.typedOffset(from, false),
        to: asSent.typedOffset(to, true),
        severity: SEVERITIES[d.severity - 1] ?? 'error',
        message: typeof d.message === 'string' ? d.message : d.message.value,
      })
    }
    return marks
  }

  private type({ key, name }: SchemaOps['type'][0]): TypeDoc | null {
    const type = this.schema(key).getType(name)
    if (!type) return null
    const fields: (GraphQLField<unknown, unknown> | GraphQLInputField)[] =
      isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)
        ? Object.values(type.getFields())
        : []
    return {
      name: type.name,
      description: type.description ?? null,
      fields: fields.map((f) => ({
        name: f.name,
        description: f.description ?? null,
        ...typeRef(f.type),
        args: 'args' in f ? f.args.map((a) => ({ name: a.name, ...typeRef(a.type) })) : [],
      })),
      enumValues: isEnumType(type)
        ? type.getValues().map((v) => ({ name: v.name, description: v.description ?? null }))
        : [],
    }
  }
}

/** A type as SDL writes it, and the named type inside it. */
function typeRef(type: GraphQLType): { type: string; typeName: string } {
  return { type: String(type), typeName: getNamedType(type).name }
}

/** The offset where each line of `text` starts. */
function lineStarts(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
