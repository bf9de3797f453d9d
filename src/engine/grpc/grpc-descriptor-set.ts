import protobuf from 'protobufjs'
// Adds Root.fromDescriptor (a FileDescriptorSet to a Root) and the descriptor messages themselves.
import descriptor from 'protobufjs/ext/descriptor/index.js'

/**
 * A FileDescriptorSet's bytes (what a reflection server sent) to a protobufjs Root, with limits checked
 * before anything is built: protobufjs adds a message's fields one by one, and each add re-indexes all the
 * fields so far, so a message with thousands of fields costs seconds on the engine's thread. The limits sit
 * far above real APIs (the largest Google Ads messages, GoogleAdsRow and Metrics, have a few hundred fields).
 */

/** Fields one message may have. */
export const MAX_FIELDS_PER_MESSAGE = 1000
/** Fields all the messages of one descriptor set may have together. */
export const MAX_FIELDS_PER_SET = 100_000
/**
 * Each message's field count squared, summed over the set: what protobufjs' build costs grows so. Four messages
 * at the limit (~0.4 s each here) fit; GoogleAdsRow, Metrics and Segments together weigh about 150,000.
 */
export const MAX_FIELD_WEIGHT = 4 * MAX_FIELDS_PER_MESSAGE ** 2

interface MessageDescriptor {
  name?: string
  field?: unknown[]
  nestedType?: MessageDescriptor[]
}
interface FileDescriptor {
  name?: string
  package?: string
  messageType?: MessageDescriptor[]
}
interface DescriptorSet {
  file?: FileDescriptor[]
}

/** A limit the descriptors go past; its message reads after "Server reflection stopped: ". */
export class DescriptorLimitError extends Error {}

type RootWithDescriptor = typeof protobuf.Root & {
  fromDescriptor(set: DescriptorSet): protobuf.Root
}
const FileDescriptorSet = (descriptor as unknown as protobuf.Namespace).lookupType('FileDescriptorSet')

/** The Root the set describes; throws, naming the limit, when a message or the set has too many fields. */
export function rootFromDescriptorBytes(bytes: Uint8Array): protobuf.Root {
  const set = FileDescriptorSet.decode(bytes) as unknown as DescriptorSet
  checkFieldCounts(set)
  return (protobuf.Root as RootWithDescriptor).fromDescriptor(set)
}

function checkFieldCounts(set: DescriptorSet): void {
  let total = 0
  let weight = 0
  for (const file of set.file ?? []) {
    // A stack, not recursion: a hostile set may nest messages deeply.
    const stack = (file.messageType ?? []).map((m) => ({ m, path: file.package ? `${file.package}.` : '' }))
    while (stack.length > 0) {
      const { m, path } = stack.pop()!
      const name = `${path}${m.name ?? '?'}`
      const count = m.field?.length ?? 0
      if (count > MAX_FIELDS_PER_MESSAGE) {
        throw new DescriptorLimitError(
          `the message ${name} has ${count} fields, more than the ${MAX_FIELDS_PER_MESSAGE} a message may have`,
        )
      }
      total += count
      if (total > MAX_FIELDS_PER_SET) {
        throw new DescriptorLimitError(
          `the descriptors have more than ${MAX_FIELDS_PER_SET} fields in all, the most a schema may have`,
        )
      }
      weight += count * count
      if (weight > MAX_FIELD_WEIGHT) {
        throw new DescriptorLimitError(
          `the descriptors have too many large messages: each counts its fields squared, and together they pass ${MAX_FIELD_WEIGHT.toLocaleString('en-US')} (four messages of ${MAX_FIELDS_PER_MESSAGE} fields)`,
        )
      }
      for (const nested of m.nestedType ?? []) stack.push({ m: nested, path: `${name}.` })
    }
  }
}
