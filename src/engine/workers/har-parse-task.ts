import { HarFormatError, parseHar, transfersOf } from '../har/har-parse'
import type { TaskInput, TaskOutput } from './protocol'
import { TaskFailure } from './task-failure'
import { withTransfer } from './transfer'
import { checkMemory } from './worker-memory'

/** Worker side of opening a HAR: parsed, checked and its bodies decoded here; the bodies' buffers move back. */
export function harParse(p: TaskInput<'har.parse'>): Promise<TaskOutput<'har.parse'>> {
  try {
    const parsed = parseHar(p.text, checkMemory)
    return Promise.resolve(withTransfer(parsed, transfersOf(parsed)))
  } catch (e) {
    if (e instanceof HarFormatError) throw new TaskFailure({ kind: 'import', message: e.message })
    throw e
  }
}
