import type { Variable } from '../../shared/collection'
import { arr, isObj, str, varName } from './plan'
import { jsonKind, jsonText, preview, TOO_DEEP_FOR_TEXT } from './postman-json-values'

/** Postman's variable lists: the collection's and an environment's `variable`/`values` rows, and a folder's. */

/** Rows of `{ key, value, type, disabled/enabled }`; `text` maps a value's dynamic variables. */
export function postmanVariables(
  list: unknown,
  unmapped: string[],
  where: string,
  text: (v: unknown) => string,
): Variable[] {
  const out: Variable[] = []
  for (const v of arr(list).filter(isObj)) {
    const name = varName(str(v['key']))
    if (!name && v['key'] === undefined && str(v['id']) !== '') {
      // Postman's schema allows a variable with only an `id`, but Postman and newman look variables up by key.
      unmapped.push(
        `${where}: variable with id "${str(v['id']).slice(0, 60)}" and no key left out: Postman and newman look a variable up by its key, so {{${str(v['id']).slice(0, 60)}}} is not replaced there either`,
      )
      continue
    }
    if (!name) {
      unmapped.push(
        `${where}: variable "${str(v['key']).slice(0, 60)}" has a name Flightdeck cannot use; left out`,
      )
      continue
    }
    if (v['disabled'] === true || v['enabled'] === false) {
      unmapped.push(`${where}: disabled variable "${name}" left out`)
      continue
    }
    const value = v['value']
    if (value !== null && typeof value === 'object') {
      const json = jsonText(value)
      if (json === null) {
        unmapped.push(`${where}: variable "${name}" left out: its value is ${TOO_DEEP_FOR_TEXT}`)
        continue
      }
      unmapped.push(
        `${where}: variable "${name}" holds ${jsonKind(value)}; imported as its JSON text ${preview(json)}, as Postman keeps it (newman sends ${Array.isArray(value) ? 'its items joined by commas' : '"[object Object]"'} for {{${name}}})`,
      )
      out.push({ name, value: text(json), secret: v['type'] === 'secret' })
      continue
    }
    out.push({ name, value: text(value), secret: v['type'] === 'secret' })
  }
  return out
}

/**
 * A folder's `variable` list. Postman and newman read none (the schema allows it; a request in the folder gets
 * the collection's or environment's value, or `{{name}}` as written), so neither does the import: the report
 * names them, so a collection that counted on them is seen to.
 */
export function reportFolderVariables(list: unknown, where: string, unmapped: string[]): void {
  const names = arr(list)
    .filter(isObj)
    .map((v) => str(v['key']).slice(0, 60))
    .filter((n) => n !== '')
  if (names.length === 0) return
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '')
  unmapped.push(
    `${where}: folder variable${names.length > 1 ? 's' : ''} ${shown} left out: Postman and newman do not read a folder's variables (its requests take the collection's or environment's values, as there)`,
  )
}

/**
 * An old export's top-level `variables` (plural). Postman and newman read only `variable`, so neither does the
 * import; the report names what was there.
 */
export function reportLegacyVariables(list: unknown, unmapped: string[]): void {
  if (list === undefined) return
  const rows = arr(list).filter(isObj)
  const names = rows.map((v) => str(v['key'], str(v['id'])).slice(0, 60)).filter((n) => n !== '')
  if (rows.length === 0) return
  const shown =
    names.length > 0
      ? ` (${names.slice(0, 10).join(', ')}${names.length > 10 ? ` and ${names.length - 10} more` : ''})`
      : ''
  unmapped.push(
    `collection: ${rows.length} variable${rows.length > 1 ? 's' : ''} in the old "variables" list${shown} left out: Postman and newman read only "variable", so their {{names}} are not replaced there either`,
  )
}
