import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs'
import { resolve } from 'node:path'

/** bench-results.json: a flat map of name to number, merged across sections and runs. */
export const RESULTS_FILE = resolve(import.meta.dirname, '..', 'bench-results.json')

export function recordResults(values: Record<string, number>): void {
  let current: Record<string, number> = {}
  if (existsSync(RESULTS_FILE)) {
    try {
      current = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, number>
    } catch {
      current = {}
    }
  }
  const next = { ...current, ...values }
  const tmp = `${RESULTS_FILE}.tmp`
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`)
  renameSync(tmp, RESULTS_FILE)
}
