import { ImportError, isObj, refuseTooLarge } from './plan'

/**
 * What an OpenAPI import may cost, whatever the file does: a YAML document whose aliases repeat one part
 * (`a1: [*a0, *a0, …]`, an 800-byte "billion laughs") is refused before anything walks it, and so is one with
 * more operations than an import writes; an example built from a schema whose `$ref`s fan out
 * (50 properties each a reference to the next level's 50) stops at a budget of values and says so.
 */

type Obj = Record<string, unknown>

/** Values (objects, arrays, scalars) the document may hold once its YAML aliases are expanded. */
export const MAX_DOCUMENT_VALUES = 4_000_000
/** Values one generated example (a request body, a parameter) may hold. */
export const MAX_EXAMPLE_VALUES = 10_000

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

/**
 * Counts the document's values as a walk over it would meet them (a part reached by two aliases counts twice),
 * and refuses it past MAX_DOCUMENT_VALUES. Iterative; stops as soon as the count is over, so a document that
 * would expand to billions costs no more than one at the limit.
 */
export function refuseExpanding(data: unknown): void {
  const stack: unknown[] = [data]
  let counted = 1
  while (stack.length > 0) {
    const node = stack.pop()
    const children = Array.isArray(node) ? node : isObj(node) ? Object.values(node) : []
    counted += children.length
    if (counted > MAX_DOCUMENT_VALUES)
      throw new ImportError(
        `the document holds more than ${MAX_DOCUMENT_VALUES.toLocaleString('en-US')} values once its YAML aliases are expanded (a part repeated by aliases, or a file too large to import); nothing was written`,
      )
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push(child)
  }
}

/**
 * An import writes at most MAX_IMPORT_ITEMS requests and folders, and refuses a larger one whole: counted here
 * (operations, and folders by first tag) before the document is validated and dereferenced, since 100,000
 * operations took 12 s and 900 MB only to be refused afterwards.
 */
export function refuseTooManyOperations(data: Obj): void {
  const paths = isObj(data['paths']) ? data['paths'] : {}
  let requests = 0
  const tags = new Set<string>()
  for (const item of Object.values(paths)) {
    if (!isObj(item)) continue
    for (const m of METHODS) {
      const op = item[m]
      if (!isObj(op)) continue
      requests++
      const tag = Array.isArray(op['tags']) ? op['tags'][0] : undefined
      if (typeof tag === 'string' && tag !== '') tags.add(tag)
    }
  }
  refuseTooLarge({ requests, folders: tags.size })
}

/** Values all the examples of one import may hold together (10,000 operations each at its own budget made 3 GB). */
export const MAX_IMPORT_EXAMPLE_VALUES = 1_000_000

/**
 * Characters the examples of one import (request bodies, parameters) may hold together. A value is counted once
 * however long it is, so one schema with a 1 MB example named by 200 operations made 200 MB of bodies (or of
 * query strings) from a 1 MB file (2,000 would make 2 GB).
 */
export const MAX_IMPORT_BODY_CHARS = 32 * 1024 * 1024

/**
 * Take `size` characters of example text from the import's share: false once it is spent (the example is then
 * left empty), said once for the import.
 */
export function takeChars(total: ImportBudget, size: number, where: string, unmapped: string[]): boolean {
  if (size <= total.chars) {
    total.chars -= size
    return true
  }
  total.chars = 0
  if (!total.charsReported) {
    total.charsReported = true
    unmapped.push(
      `${where} and after: the examples of this import (bodies and parameters) stop at ${MAX_IMPORT_BODY_CHARS / 1024 / 1024} MB of text together; the rest are left empty`,
    )
  }
  return false
}

/**
 * What the examples of one import may still take; `reported` once an example was cut for it. `chars`: what the
 * bodies may still hold (MAX_IMPORT_BODY_CHARS), `charsReported` once a body was left empty for it.
 */
export interface ImportBudget {
  left: number
  reported: boolean
  chars: number
  charsReported: boolean
}

export function importBudget(): ImportBudget {
  return {
    left: MAX_IMPORT_EXAMPLE_VALUES,
    reported: false,
    chars: MAX_IMPORT_BODY_CHARS,
    charsReported: false,
  }
}

/** How many values an example may still take; `cut` once it was refused one. */
export interface ExampleBudget {
  left: number
  cut: boolean
  total: ImportBudget
}

export function exampleBudget(total: ImportBudget = importBudget()): ExampleBudget {
  return { left: MAX_EXAMPLE_VALUES, cut: false, total }
}

/** Take one value from the budget; false (and the budget marked cut) when it, or the import's, is spent. */
export function spend(budget: ExampleBudget): boolean {
  if (budget.left <= 0 || budget.total.left <= 0) {
    budget.cut = true
    return false
  }
  budget.left--
  budget.total.left--
  return true
}

/** One report line for an example that was cut: at its own budget, or (once per import) at the import's. */
export function exampleCut(budget: ExampleBudget, where: string, what: string, unmapped: string[]): void {
  if (!budget.cut) return
  if (budget.total.left > 0) {
    unmapped.push(
      `${where}: the example ${what} stops at ${MAX_EXAMPLE_VALUES.toLocaleString('en-US')} values (its schema's $refs repeat); the rest are null`,
    )
  } else if (!budget.total.reported) {
    budget.total.reported = true
    unmapped.push(
      `${where} and after: the examples of this import stop at ${MAX_IMPORT_EXAMPLE_VALUES.toLocaleString('en-US')} values together; the rest are null`,
    )
  }
}
