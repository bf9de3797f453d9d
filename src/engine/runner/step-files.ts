import { confineRequestOptions } from '../files/confine-tls'
import { ok, type Result } from '../../shared/result'
import type { RequestSpec } from '../../shared/request'
import type { InternalOptions, RunStep } from './run-step'

/**
 * What a step's request names on disk, confined to the collection before it is sent: a body file or multipart
 * file parts, and a CA file (the request's own, its MQTT or Socket.IO block's, or the run's `--cacert`).
 */

/** The body names files (a body file, multipart file parts), which are confined to the collection. */
export function namesFile(body: RequestSpec['body']): boolean {
  return body.kind === 'file' || body.kind === 'multipart'
}

/**
 * An MQTT or Socket.IO request may name its CA file in its own block's options (`mqtt.options.caFile`): it is
 * the request's when the request names none, so it is confined, or replaced by the run's, as every caFile is.
 */
export function withBlockCaFile(own: RequestSpec['options'], step: RunStep): RequestSpec['options'] {
  const block = step.kind === 'mqtt' ? step.mqtt : step.kind === 'socketio' ? step.socketio : undefined
  const caFile = block?.options?.caFile
  return own.caFile === undefined && caFile !== undefined ? { ...own, caFile } : own
}

/**
 * The step's TLS options: its own caFile confined to the collection, unless the run names its own (`run
 * --cacert`), which takes its place unconfined (the step's is then not read); the run's `-k` over the step's.
 */
export async function runTls(
  own: RequestSpec['options'],
  options: InternalOptions,
): Promise<Result<RequestSpec['options']>> {
  const run = options.tls
  if (!run) return confineRequestOptions(own, options.files ?? null)
  const { caFile: stepCa, ...rest } = own
  const confined =
    run.caFile === undefined && stepCa !== undefined
      ? await confineRequestOptions(own, options.files ?? null)
      : ok(rest)
  if (!confined.ok) return confined
  return ok({
    ...confined.value,
    ...(run.caFile !== undefined ? { caFile: run.caFile } : {}),
    ...(run.insecure ? { insecure: true } : {}),
  })
}
