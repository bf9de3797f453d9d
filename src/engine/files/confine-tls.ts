import type { GrpcTls } from '../../shared/grpc'
import { ok, type Result } from '../../shared/result'
import { confinePath, type FileScope } from './confine'

/**
 * The TLS files a collection's request names (a CA bundle, a gRPC client certificate and its key) follow the body
 * file's rules: a relative path resolves against the collection folder, and the file it reaches after every
 * symbolic link must lie inside the collection or a folder the user allowed. Without a scope (a request typed in
 * an Untitled tab, a flag on the command line) the path stays as the person typed it.
 */

/** `options` with its CA file confined to `scope` (made absolute), or the refusal naming it. */
export async function confineRequestOptions<T extends { caFile?: string | undefined }>(
  options: T,
  scope: FileScope | null,
): Promise<Result<T>> {
  if (!scope || !options.caFile) return ok(options)
  const path = await confinePath(options.caFile, scope, 'The CA file')
  return path.ok ? ok({ ...options, caFile: path.value }) : path
}

const GRPC_TLS_FILES = [
  ['caFile', 'The CA file'],
  ['certFile', 'The client certificate'],
  ['keyFile', 'The client key'],
] as const

/** A gRPC call's TLS files confined to `scope` (made absolute), or the first refusal. */
export async function confineGrpcTls(tls: GrpcTls, scope: FileScope | null): Promise<Result<GrpcTls>> {
  if (!scope) return ok(tls)
  let out = tls
  for (const [key, what] of GRPC_TLS_FILES) {
    const raw = tls[key]
    if (!raw) continue
    const path = await confinePath(raw, scope, what)
    if (!path.ok) return path
    out = { ...out, [key]: path.value }
  }
  return ok(out)
}
