import { readFile, stat } from 'node:fs/promises'
import { load as loadYaml, CORE_SCHEMA } from 'js-yaml'
import type { ImportFormat, ImportReport } from '../../shared/collection-schemas'
import { fail, type Result } from '../../shared/result'
import type { SecretStore } from '../secrets/secret-store'
import { importCurl, looksLikeCurl } from './curl'
import { harCollectionPlan, isHar } from './har-collection'
import {
  importHoppscotchCollection,
  importHoppscotchEnvironment,
  isHoppscotchCollection,
  isHoppscotchEnvironment,
} from './hoppscotch'
import { importInsomnia, isInsomniaExport } from './insomnia'
import { importInsomniaV5, isInsomniaV5 } from './insomnia-v5'
import { importOpenApi, isOpenApi } from './openapi'
import { importSwagger2, isSwagger2 } from './swagger2-import'
import { refuseExpanding } from './openapi-bounds'
import { planInWorker } from './plan-in-worker'
import { importOpenCollection, isOpenCollection } from './opencollection'
import { importYaak, isYaakExport } from './yaak'
import { emptyPlan, ImportError, ImportTooLarge, isObj, type ImportPlan } from './plan'
import { repointFiles } from './repoint-files'
import { blankTrailingCommas, jsonErrorWords } from './json-lenient'
import { writePlan } from './write-plan'
import {
  importPostmanCollection,
  importPostmanEnvironment,
  isPostmanCollection,
  isPostmanEnvironment,
} from './postman'

/**
 * Import: detect the format, build a plan, write it as a collection folder. Every importer reports what it
 * could not map; nothing is dropped silently. A file that cannot be read fails with one plain reason.
 */

export { ImportError, MAX_IMPORT_ITEMS } from './plan'
export { writePlan } from './write-plan'
export type KnownFormat = Exclude<ImportFormat, 'auto'>

const MAX_IMPORT_BYTES = 64 * 1024 * 1024

/**
 * The file's data, and a line for the report when it was not read as strict JSON: a JSON file with trailing
 * commas is read without them (Postman's own importer refuses such a file; its meaning is plain, and the report
 * says so), and a file that looks like JSON but is not is read as YAML only when it is YAML, and said.
 */
function parseStructured(text: string): { data: unknown; note: string | null } {
  try {
    return { data: JSON.parse(text), note: null }
  } catch (jsonError) {
    const looksJson = /^\s*[[{"]/.test(text)
    const lenient = looksJson ? blankTrailingCommas(text) : { text, commas: 0 }
    let strictError: unknown = jsonError
    if (lenient.commas > 0) {
      try {
        const data: unknown = JSON.parse(lenient.text)
        const commas = `${lenient.commas} trailing comma${lenient.commas === 1 ? '' : 's'}`
        return {
          data,
          note: `the file is JSON with ${commas}, which strict JSON (and Postman's importer) refuses: read without ${lenient.commas === 1 ? 'it' : 'them'}`,
        }
      } catch (e) {
        // Another mistake besides: told at its place (the commas were blanked, so places are the file's).
        strictError = e
      }
    }
    try {
      const data: unknown = loadYaml(text, { schema: CORE_SCHEMA, json: true })
      // js-yaml shares what an alias repeats; an importer walking or stringifying it would not.
      if (isObj(data)) {
        refuseExpanding(data)
        const note = looksJson
          ? `the file is not valid JSON (${jsonErrorWords(strictError, lenient.text)}): read as YAML, which it also is`
          : null
        return { data, note }
      }
    } catch (yamlError) {
      if (yamlError instanceof ImportError) throw yamlError
      // Too deep for the YAML reader's recursion: refused in words as any file nested too deeply.
      if (yamlError instanceof RangeError) throw yamlError
      // A file that does not start as JSON is YAML: its error names the line (a YAML spec's bad indentation
      // was told as "Unexpected token 'o', "openapi: 3"... is not valid JSON").
      if (!looksJson) throw new ImportError(`not JSON or YAML (${yamlWords(yamlError)})`)
    }
    const words = jsonErrorWords(strictError, lenient.text)
    // Text YAML reads as a lone value (a sentence, a number) is neither an export nor JSON.
    throw new ImportError(looksJson ? `not valid JSON (${words})` : `not JSON or YAML (${words})`)
  }
}

/** js-yaml's error as one line: its reason and where, without the excerpt it quotes below. */
function yamlWords(e: unknown): string {
  const y = e as { reason?: unknown; mark?: { line?: unknown; column?: unknown } }
  if (typeof y.reason === 'string' && typeof y.mark?.line === 'number' && typeof y.mark.column === 'number')
    return `YAML: ${y.reason} at line ${y.mark.line + 1}, column ${y.mark.column + 1}`
  return `YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`
}

export function detectFormat(data: unknown): KnownFormat | null {
  if (isPostmanCollection(data)) return 'postman'
  if (isPostmanEnvironment(data)) return 'postman-env'
  if (isInsomniaExport(data) || isInsomniaV5(data)) return 'insomnia'
  if (isHoppscotchCollection(data)) return 'hoppscotch'
  if (isHoppscotchEnvironment(data)) return 'hoppscotch-env'
  if (isYaakExport(data)) return 'yaak'
  if (isOpenCollection(data)) return 'bruno'
  if (isOpenApi(data) || isSwagger2(data)) return 'openapi'
  if (isHar(data)) return 'har'
  return null
}

/** Text in, plan out. `format` 'auto' detects; an explicit format must match what the file is. */
export async function planImport(
  text: string,
  format: ImportFormat,
): Promise<{ format: KnownFormat; plan: ImportPlan }> {
  if (format === 'curl' || (format === 'auto' && looksLikeCurl(text))) {
    const { request, unmapped } = await importCurl(text)
    const plan = emptyPlan('Pasted curl')
    plan.children = [{ type: 'request', request }]
    plan.unmapped = unmapped
    return { format: 'curl', plan }
  }
  if (text.trim() === '') throw new ImportError('the file is empty')
  const { data, note } = parseStructured(text)
  const detected = detectFormat(data)
  if (!detected) {
    if (isObj(data) && typeof data['swagger'] === 'string') {
      throw new ImportError(
        `Swagger ${String(data['swagger'])} is not supported (Swagger 2.0 and OpenAPI 3 are); convert it to OpenAPI 3 first`,
      )
    }
    if (isObj(data) && isObj(data['info']) && typeof data['info']['schema'] === 'string') {
      throw new ImportError(`unsupported Postman collection schema: ${String(data['info']['schema'])}`)
    }
    throw new ImportError(
      'unrecognised format: expected a Postman collection or environment, an Insomnia v4 or v5 export, a Hoppscotch collection or environment, a Yaak export, a Bruno collection folder, OpenAPI 3 or Swagger 2.0, HAR or a curl command',
    )
  }
  if (format !== 'auto' && format !== detected)
    throw new ImportError(`the file is ${detected}, not ${format}`)
  const planned = await planDetected(detected, data)
  if (note !== null) planned.plan.unmapped.unshift(note)
  return planned
}

async function planDetected(
  detected: KnownFormat,
  data: unknown,
): Promise<{ format: KnownFormat; plan: ImportPlan }> {
  switch (detected) {
    case 'postman':
      return { format: detected, plan: importPostmanCollection(data) }
    case 'postman-env':
      return { format: detected, plan: importPostmanEnvironment(data) }
    case 'insomnia':
      return { format: detected, plan: isInsomniaV5(data) ? importInsomniaV5(data) : importInsomnia(data) }
    case 'hoppscotch':
      return { format: detected, plan: importHoppscotchCollection(data) }
    case 'hoppscotch-env':
      return { format: detected, plan: importHoppscotchEnvironment(data) }
    case 'yaak':
      return { format: detected, plan: importYaak(data) }
    case 'bruno':
      return { format: detected, plan: importOpenCollection(data) }
    case 'openapi':
      return {
        format: detected,
        plan: isSwagger2(data) ? await importSwagger2(data) : await importOpenApi(data),
      }
    case 'har':
      return { format: detected, plan: harCollectionPlan(data) }
    default:
      throw new ImportError(`cannot import ${detected}`)
  }
}

export async function readImportFile(file: string): Promise<string> {
  let st
  try {
    st = await stat(file)
  } catch {
    throw new ImportError(`cannot read ${file}: no such file`)
  }
  if (!st.isFile()) throw new ImportError(`cannot read ${file}: not a file`)
  if (st.size > MAX_IMPORT_BYTES) throw new ImportError(`${file} is larger than 64 MiB`)
  const bytes = await readFile(file)
  const text = bytes.toString('utf8')
  if (text.includes('\u0000')) throw new ImportError(`${file} is a binary file, not an export`)
  return text.replace(/^\uFEFF/, '')
}

/** The whole import: read or take the text, plan, write. Errors come back as data with one plain reason. */
export async function runImport(
  source: { file?: string; text?: string },
  format: ImportFormat,
  into: string,
  secrets: SecretStore | null,
  curlFolder?: string,
): Promise<Result<ImportReport>> {
  try {
    if (source.text === undefined && source.file === undefined)
      return fail('invalid_request', 'Give a file or the text to import')
    // The worker refuses a plan over MAX_IMPORT_ITEMS (ImportTooLarge) before it is sent here.
    const { format: detected, plan } = await planInWorker(source, format)
    if (plan.sourceDir !== undefined) await repointFiles(plan, plan.sourceDir, into)
    return await writePlan(plan, detected, into, secrets, curlFolder)
  } catch (e) {
    if (e instanceof ImportTooLarge) return fail('too_large', e.message)
    if (e instanceof ImportError) return fail('parse', e.message)
    throw e
  }
}
