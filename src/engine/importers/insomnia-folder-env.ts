import { notePlace, type ImportPlan, type PlanNode } from './plan'

/** Names listed in one line, at most; the rest are counted. */
const MAX_NAMED = 10

function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMED).join(', ')
  return names.length > MAX_NAMED ? `${shown} and ${names.length - MAX_NAMED} more` : shown
}

/**
 * Insomnia lays a folder's environment over the chosen sub-environment (its render context is the base
 * environment, the sub-environment, then each folder from the outermost in), so a name both set gives the
 * folder's value to the requests in the folder. In Flightdeck the chosen environment wins over a folder's
 * variables: each folder with such a name is said, naming the names and the environments that set them.
 */
export function noteFolderOverrides(plan: ImportPlan, u: string[]): void {
  const setBy = new Map<string, string[]>()
  for (const env of plan.environments)
    for (const v of env.variables) {
      const envs = setBy.get(v.name) ?? []
      if (!envs.includes(env.name)) envs.push(env.name)
      setBy.set(v.name, envs)
    }
  if (setBy.size === 0) return
  const walk = (nodes: readonly PlanNode[], path: string): void => {
    for (const node of nodes) {
      if (node.type !== 'folder') continue
      const where = notePlace(path, node.folder.name)
      const names = node.folder.variables.map((v) => v.name).filter((n) => setBy.has(n))
      if (names.length > 0) {
        const envs = [...new Set(names.flatMap((n) => setBy.get(n) ?? []))]
        u.push(
          `${where}: folder variable${names.length > 1 ? 's' : ''} ${listed(names)} also set in environment${envs.length > 1 ? 's' : ''} ${listed(envs)}: Insomnia sends the folder's value to the requests in it, Flightdeck the chosen environment's (an environment wins over a folder); remove the name from the environment to keep Insomnia's`,
        )
      }
      walk(node.folder.children, where)
    }
  }
  walk(plan.children, '')
}
