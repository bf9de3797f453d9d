import type { ScopedVariable } from '../../shared/collection'

/**
 * The values a snippet (Copy as curl, as code, as grpcurl) fills in: secrets stay as `{{name}}` (a snippet is
 * pasted into chats).
 */
export function snippetValues(vars: readonly ScopedVariable[]): Map<string, string> {
  const values = new Map<string, string>()
  for (const v of vars) {
    if (v.secret) values.delete(v.name)
    else values.set(v.name, v.value)
  }
  return values
}
