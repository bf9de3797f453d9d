import type { RunStep } from './run-step'
/** The steps' dependencies: checked before a run starts, so a run never waits on a step that cannot come. */

export function byId(steps: readonly RunStep[], id: string): RunStep {
  const s = steps.find((x) => x.id === id)
  if (!s) throw new Error(`Unknown step ${id}`)
  return s
}

/** Refuse unknown dependencies and cycles up front, with the names involved. */
export function checkGraph(steps: readonly RunStep[]): void {
  const ids = new Set(steps.map((s) => s.id))
  for (const s of steps)
    for (const d of s.dependsOn ?? [])
      if (!ids.has(d)) throw new Error(`Step "${s.name}" depends on unknown step ${d}`)
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (s: RunStep, path: string[]): void => {
    const st = state.get(s.id)
    if (st === 'done') return
    if (st === 'visiting')
      throw new Error(`Steps depend on each other in a cycle: ${[...path, s.name].join(' → ')}`)
    state.set(s.id, 'visiting')
    for (const d of s.dependsOn ?? []) visit(byId(steps, d), [...path, s.name])
    state.set(s.id, 'done')
  }
  for (const s of steps) visit(s, [])
}
