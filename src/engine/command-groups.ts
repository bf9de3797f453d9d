import type { CommandName } from '../shared/contract'
import type { Result } from '../shared/result'
import type { CommandTable } from './command-table'

type Handler = (payload: unknown) => Promise<Result<unknown>>

/**
 * A group of commands whose handlers are imported and built on the first call of any of them (`load`), then
 * called directly. The names are the table's at once, so a name is known (and its payload validated) before its
 * module is; a load that fails answers that call as a handler that throws would (`internal`) and is tried again
 * on the next.
 */
export function onFirstCall<K extends CommandName>(
  names: readonly K[],
  load: () => Promise<Pick<CommandTable, K>>,
): Pick<CommandTable, K> {
  let handlers: Pick<CommandTable, K> | undefined
  let loading: Promise<Pick<CommandTable, K>> | undefined
  const loaded = (): Promise<Pick<CommandTable, K>> =>
    (loading ??= load().then(
      (built) => (handlers = built),
      (e: unknown) => {
        loading = undefined
        throw e
      },
    ))
  const table: Partial<Record<K, Handler>> = {}
  for (const name of names) {
    table[name] = async (payload) => {
      const group = handlers ?? (await loaded())
      return (group[name] as Handler)(payload)
    }
  }
  return table as unknown as Pick<CommandTable, K>
}
