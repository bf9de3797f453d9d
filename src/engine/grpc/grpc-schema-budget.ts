/**
 * What one gRPC schema may declare, counted before protobufjs builds any of it, for reflected descriptors and
 * `.proto` files alike. protobufjs spends tens of microseconds on every field, enum value, oneof and type it
 * builds, and more in a few places that grow with the square of a message's size: adding a field re-indexes
 * all the fields so far, a field in a oneof re-lists all the message's oneofs, and each field or value is
 * checked against every reserved range declared before it. So everything is counted, and those products are
 * weighed. Real APIs sit far below every limit: Google Ads (v25) declares about 18,000 items in all, its
 * largest message (Metrics) 341 fields and ~670 items with its oneofs, its largest enum 230 values.
 */

/** Fields one message may have. */
export const MAX_FIELDS_PER_MESSAGE = 1000
/** Values one enum may have. */
export const MAX_ENUM_VALUES = 5000
/**
 * Items one top-level message, enum or service may declare with all it nests: the schema is built one such
 * declaration at a time, the engine's thread free in between, so this bounds the longest single step.
 */
export const MAX_ITEMS_PER_DECLARATION = 2500
/** Fields, enum values, oneofs, reserved ranges, types and methods one schema may declare in all. */
export const MAX_SCHEMA_ITEMS = 100_000
/**
 * Each message's fields squared, plus its fields in oneofs times its oneofs, plus its fields (an enum's values)
 * times its reserved ranges, summed over the schema: what the quadratic parts of protobufjs' build cost.
 * Four messages of 1,000 fields fit; Google Ads weighs about 400,000.
 */
export const MAX_SCHEMA_WEIGHT = 4 * MAX_FIELDS_PER_MESSAGE ** 2

/** A limit the schema goes past, in words that read after "Server reflection stopped: " or a file's name. */
export class SchemaLimitError extends Error {}

export interface MessageCounts {
  fields: number
  /** Fields that are part of a oneof. */
  oneofFields: number
  oneofs: number
  reserved: number
  /** Extension fields declared inside the message. */
  extensions: number
}

const n = (v: number): string => v.toLocaleString('en-US')

/**
 * Running counts for one schema. Each top-level declaration is counted between `begin` and `end`; nested ones
 * add to it. Every call throws a SchemaLimitError as soon as a limit is passed.
 */
export class SchemaBudget {
  private items = 0
  private weight = 0
  private declaration = ''
  private declarationItems = 0

  begin(name: string): void {
    this.declaration = name
    this.declarationItems = 0
  }

  message(name: string, c: MessageCounts): void {
    if (c.fields > MAX_FIELDS_PER_MESSAGE)
      throw new SchemaLimitError(
        `the message ${name} has ${c.fields} fields, more than the ${MAX_FIELDS_PER_MESSAGE} a message may have`,
      )
    this.add(1 + c.fields + c.oneofs + c.reserved + c.extensions)
    this.weigh(c.fields * c.fields + c.oneofFields * c.oneofs + (c.fields + c.extensions) * c.reserved)
  }

  enum(name: string, values: number, reserved: number): void {
    if (values > MAX_ENUM_VALUES)
      throw new SchemaLimitError(
        `the enum ${name} has ${n(values)} values, more than the ${n(MAX_ENUM_VALUES)} an enum may have`,
      )
    this.add(1 + values + reserved)
    this.weigh(values * reserved)
  }

  service(methods: number): void {
    this.add(1 + methods)
  }

  /** Extension fields declared at a file's top level (`extend` blocks). */
  extensions(count: number): void {
    this.add(count)
  }

  /**
   * `count` extensions of the message `name`, which has `fields` fields: protobufjs adds each to it as a field,
   * re-indexing the message's fields each time.
   */
  extended(name: string, count: number, fields: number): void {
    this.weigh(count * (count + fields))
  }

  private add(count: number): void {
    this.items += count
    this.declarationItems += count
    if (this.declarationItems > MAX_ITEMS_PER_DECLARATION)
      throw new SchemaLimitError(
        `${this.declaration} declares more than ${n(MAX_ITEMS_PER_DECLARATION)} fields, values, oneofs and types with all it nests, the most one top-level declaration may have`,
      )
    if (this.items > MAX_SCHEMA_ITEMS)
      throw new SchemaLimitError(
        `the schema declares more than ${n(MAX_SCHEMA_ITEMS)} fields, enum values, oneofs, types and methods in all, the most a schema may have`,
      )
  }

  private weigh(w: number): void {
    this.weight += w
    if (this.weight > MAX_SCHEMA_WEIGHT)
      throw new SchemaLimitError(
        `the schema has too many large messages: each counts its fields squared, and together they pass ${n(MAX_SCHEMA_WEIGHT)} (four messages of ${MAX_FIELDS_PER_MESSAGE} fields)`,
      )
  }
}
