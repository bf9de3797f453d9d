import { varName } from './plan'

/**
 * The collection variables an OpenAPI import makes for path parameters. Operations whose parameter has the same
 * name and example share one (`/pets/{petId}` under GET, PUT and DELETE: set it once); one whose example differs
 * is about something else (`/users/{id}` with `alice` beside `/pets/{id}` with `7`), so it gets a variable of its
 * own, named by the path segment before it (`users_id`), and the report says so: sharing sent `/users/7`.
 */
export class PathVariables {
  /** Variable name → value, in the order made. */
  readonly values = new Map<string, string>()
  /** `name\0value` → the variable holding that example for that parameter name. */
  private readonly byExample = new Map<string, string>()

  /**
   * The variable an operation's path parameter `name` (a valid variable name) with example `value` uses at
   * `path`. An example of '' (none given) takes the shared one.
   */
  variableFor(
    name: string,
    value: string,
    path: string,
    where: string,
    report: (line: string) => void,
  ): string {
    const shared = this.values.get(name)
    if (shared === undefined) {
      this.values.set(name, value)
      this.byExample.set(`${name}\u0000${value}`, name)
      return name
    }
    if (value === '' || shared === value) return name
    if (shared === '') {
      // The first operation gave no example: the shared variable takes this one.
      this.values.set(name, value)
      this.byExample.set(`${name}\u0000${value}`, name)
      return name
    }
    const known = this.byExample.get(`${name}\u0000${value}`)
    if (known !== undefined) return known
    const own = this.freeName(name, path)
    this.values.set(own, value)
    this.byExample.set(`${name}\u0000${value}`, own)
    report(
      `${where}: path parameter "${name}" has its own example (${value.slice(0, 60)}), not ${name}'s (${shared.slice(0, 60)}): it uses {{${own}}}, so each request sends its own`,
    )
    return own
  }

  /** `users_id` for `{id}` after `/users/`, else `id_2`, `id_3`, …: a name no variable has. */
  private freeName(name: string, path: string): string {
    const segments = path.split('/')
    const at = segments.findIndex((s) => s === `{${name}}`)
    const before = at > 0 ? (segments[at - 1] ?? '').replace(/[^A-Za-z0-9_]/g, '_') : ''
    const candidate = before !== '' && !before.includes('{') ? varName(`${before}_${name}`) : null
    if (candidate !== null && !this.values.has(candidate)) return candidate
    for (let i = 2; ; i++) {
      const numbered = `${name}_${i}`
      if (!this.values.has(numbered)) return numbered
    }
  }
}
