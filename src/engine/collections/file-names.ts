/**
 * Which names in a collection folder are YAML files, and a file's stem: what `order` lists and a request's own
 * name on disk are written with.
 */

export function isYamlName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml')
}

export function stemOf(name: string): string {
  if (name.endsWith('.yaml')) return name.slice(0, -5)
  return name.endsWith('.yml') ? name.slice(0, -4) : name
}
