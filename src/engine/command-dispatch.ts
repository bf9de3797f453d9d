import { commandSchemas, describeCommandName, isCommandName } from '../shared/contract'
import { fail, type Result } from '../shared/result'
import { configFolderFailure } from './files/config-folder'
import type { CommandTable } from './command-table'

/**
 * The door every host's untrusted `{ name, payload }` comes through: an unknown name or a payload that fails
 * its schema is refused as data, and a handler that throws answers `internal` instead of breaking the host.
 */
export function commandDispatcher(table: CommandTable) {
  return async function call(name: unknown, payload: unknown): Promise<Result<unknown>> {
    if (!isCommandName(name)) return fail('unknown_command', `Unknown command: ${describeCommandName(name)}`)
    const parsed = commandSchemas[name].safeParse(payload)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
      return fail('bad_payload', `Invalid ${name} payload${where}: ${issue?.message ?? 'malformed'}`)
    }
    try {
      const handler = table[name] as (p: unknown) => Promise<Result<unknown>>
      return await handler(parsed.data)
    } catch (e) {
      // Flightdeck's config folder in the way is the user's to fix, named as such (not an internal error).
      const config = configFolderFailure(e)
      if (config) return config
      return fail('internal', `Internal error in ${name}`, e instanceof Error ? e.message : String(e))
    }
  }
}
