import protobuf from 'protobufjs'
import {
  MAX_ENUM_VALUES,
  MAX_FIELDS_PER_MESSAGE,
  SchemaLimitError,
  type SchemaBudget,
} from './grpc-schema-budget'

/**
 * A `.proto` file's declarations counted into the schema's budget from its tokens, before protobufjs parses it
 * (parsing builds as it goes, so a file of a million fields would cost its seconds before any count). Only
 * statements are told apart, not checked: a statement with `=` in a message is a field, in an enum a value;
 * `option` lines are left out; `reserved` counts its ranges and names. Parsing still decides what is valid.
 */

/** Braces nested deeper than this stop the count (protobufjs itself stops at 32 nested messages). */
export const MAX_PROTO_NESTING = 100

type Kind = 'message' | 'enum' | 'service' | 'oneof' | 'extend' | 'other'

interface Block {
  kind: Kind
  name: string
  fields: number
  oneofFields: number
  oneofs: number
  reserved: number
  extensions: number
  /** Enum values; a service's methods; an extend block's fields. */
  items: number
}

const DECLARATIONS = new Set<string>(['message', 'enum', 'service', 'oneof', 'extend'])

/** Counts `source` into `budget`; throws a SchemaLimitError (or the budget's) when it goes past a limit. */
export function countProtoSource(source: string, budget: SchemaBudget): void {
  const tokens = protobuf.tokenize(source, true)
  let pkg = ''
  const stack: Block[] = []
  // The current statement, as far as it matters: its first two tokens, whether it has a `=` outside brackets,
  // its commas there (reserved ranges), and whether it declares a group.
  let head = ''
  let second = ''
  let third = ''
  let assigns = false
  let commas = 0
  let brackets = 0
  const reset = (): void => {
    head = second = third = ''
    assigns = false
    commas = brackets = 0
  }
  const message = (): Block | undefined => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const b = stack[i]!
      if (b.kind === 'message') return b
      if (b.kind !== 'oneof') return undefined
    }
    return undefined
  }
  // A message's `name` is its full name already: a nested one is named after the nearest.
  const fullName = (name: string): string => {
    const outer = [...stack].reverse().find((b) => b.kind === 'message')
    return [outer ? outer.name : pkg, name].filter(Boolean).join('.')
  }
  const open = (kind: Kind, name: string): void => {
    if (stack.length >= MAX_PROTO_NESTING)
      throw new SchemaLimitError(`its braces nest more than ${MAX_PROTO_NESTING} deep`)
    const top = !stack.some((b) => b.kind !== 'other')
    const full = kind === 'message' || kind === 'enum' || kind === 'service' ? fullName(name) : name
    if (top && (kind === 'message' || kind === 'enum' || kind === 'service'))
      budget.begin(`the ${kind} ${full}`)
    if (top && kind === 'extend') budget.begin(`the extension of ${name}`)
    stack.push({
      kind,
      name: full,
      fields: 0,
      oneofFields: 0,
      oneofs: 0,
      reserved: 0,
      extensions: 0,
      items: 0,
    })
  }
  const field = (): void => {
    const inner = stack[stack.length - 1]
    if (inner?.kind === 'extend') {
      inner.items++
      return
    }
    const m = message()
    if (!m) return
    m.fields++
    if (inner?.kind === 'oneof') m.oneofFields++
    // Stopped here, not at the closing brace: a message of a million fields is not read to its end.
    if (m.fields > MAX_FIELDS_PER_MESSAGE)
      throw new SchemaLimitError(
        `the message ${m.name} has more than ${MAX_FIELDS_PER_MESSAGE} fields, the most a message may have`,
      )
  }
  const close = (b: Block): void => {
    if (b.kind === 'message') budget.message(b.name, b)
    else if (b.kind === 'enum') budget.enum(b.name, b.items, b.reserved)
    else if (b.kind === 'service') budget.service(b.items)
    else if (b.kind === 'extend') {
      const m = message()
      if (m) m.extensions += b.items
      else budget.extensions(b.items)
      budget.extended(b.name, b.items, 0)
    }
  }

  for (let tok = tokens.next(); tok !== null; tok = tokens.next()) {
    if (tok === '"' || tok === "'") {
      // A string: its text and its closing quote are tokens of their own, whatever they hold.
      tokens.next()
      tokens.next()
      if (head === '') head = 'string'
      continue
    }
    const inner = stack[stack.length - 1]
    if (tok === '{') {
      const counting = inner?.kind !== 'other'
      if (counting && DECLARATIONS.has(head)) {
        open(head as Kind, second)
        if (head === 'oneof') {
          const m = message()
          if (m) m.oneofs++
        }
      } else if (counting && (second === 'group' || head === 'group')) {
        field()
        open('message', head === 'group' ? second : third)
      } else {
        if (counting && head === 'rpc' && inner?.kind === 'service') inner.items++
        open('other', '')
      }
      reset()
      continue
    }
    if (tok === '}') {
      const b = stack.pop()
      if (b) close(b)
      reset()
      continue
    }
    if (tok === ';') {
      if (inner === undefined && head === 'package') pkg = second
      else if (inner && inner.kind !== 'other' && head !== 'option' && head !== '') {
        if (head === 'reserved') {
          const m = inner.kind === 'enum' ? inner : message()
          if (m) m.reserved += commas + 1
        } else if (inner.kind === 'enum') {
          if (assigns) inner.items++
          if (inner.items > MAX_ENUM_VALUES)
            throw new SchemaLimitError(
              `the enum ${inner.name} has more than ${MAX_ENUM_VALUES.toLocaleString('en-US')} values, the most an enum may have`,
            )
        } else if (inner.kind === 'service') {
          if (head === 'rpc') inner.items++
        } else if (assigns && head !== 'extensions') field()
      }
      reset()
      continue
    }
    if (tok === '[' || tok === '(') brackets++
    else if (tok === ']' || tok === ')') brackets--
    else if (tok === '=' && brackets === 0) assigns = true
    else if (tok === ',' && brackets === 0) commas++
    if (head === '') head = tok
    else if (second === '') second = tok
    else if (third === '') third = tok
  }
}
