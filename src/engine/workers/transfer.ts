/**
 * A task's result can name buffers to move to the engine's thread instead of copying them (large decoded
 * bodies): the worker entry posts the reply with them as its transfer list.
 */
const transfers = new WeakMap<object, ArrayBuffer[]>()

export function withTransfer<T extends object>(value: T, buffers: ArrayBuffer[]): T {
  transfers.set(value, buffers)
  return value
}

export function transferOf(value: unknown): ArrayBuffer[] {
  return typeof value === 'object' && value !== null ? (transfers.get(value) ?? []) : []
}
