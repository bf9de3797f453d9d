// `npm run security`: Electronegativity over the app's sources, pinned to our Electron version, so the result
// does not depend on the network (its look-up of newer Electron releases may fail offline, harmlessly). Any
// finding above informational fails the run; there is no list of accepted findings, with one checked exception:
// the system browser (see SYSTEM_BROWSER below). The CSP the tool reads in
// src/renderer/index.html is the page's real policy (the build only fills in the bundle's hash).
//
// It calls the tool's own runner and reads the findings it returns: the CLI's CSV report writes its header
// and its rows with two racing writes, and now and then comes out scrambled.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

const require = createRequire(import.meta.url)
const electronVersion = require('electron/package.json').version
const run = require('@doyensec/electronegativity/dist/runner.js')

const timeout = setTimeout(() => {
  console.error('electronegativity did not finish within 4 minutes')
  process.exit(1)
}, 240_000)

const result = await run({
  input: resolve('src'),
  output: undefined,
  isSarif: false,
  customScan: [],
  excludeFromScan: [],
  severitySet: undefined,
  confidenceSet: undefined,
  isRelative: true,
  isVerbose: false,
  electronUpgrade: undefined,
  electronVersionOverride: electronVersion,
  parserPlugins: [],
})
clearTimeout(timeout)

const findings = result.issues.map((i) => ({
  id: i.id,
  severity: i.severity.name,
  confidence: i.confidence.name,
  file: i.file,
  location: `${i.location?.line ?? 0}:${i.location?.column ?? 0}`,
  sample: i.sample ?? '',
  description: i.description,
}))
if (result.errors?.length > 0) {
  console.error(`electronegativity could not read ${result.errors.length} file(s):`)
  for (const e of result.errors) console.error(`  ${e.file ?? ''} ${e.message ?? String(e)}`)
  process.exit(1)
}

// Opening a trace link in the system browser needs shell.openExternal with a non-constant URL, which the tool
// flags for manual review. It is accepted in one file only, and only while that file checks the link is an
// http(s) URL before opening it (test/security/window-settings.test.ts keeps every other file from calling it).
const SYSTEM_BROWSER = 'main/dialogs.ts'
function reviewed(f) {
  if (f.id !== 'OPEN_EXTERNAL_JS_CHECK' || f.file.split('\\').join('/') !== SYSTEM_BROWSER) return false
  const text = readFileSync(resolve('src', SYSTEM_BROWSER), 'utf8')
  const check = text.indexOf('externalUrlProblem(')
  return check >= 0 && check < text.indexOf('shell.openExternal(') && !text.includes('shell.openPath')
}
const serious = findings.filter((f) => f.severity !== 'INFORMATIONAL' && !reviewed(f))
// A run that performed no checks at all proves nothing, so it fails too.
const scanned = result.atomicChecks + result.globalChecks
console.log(
  `electronegativity (Electron ${electronVersion}, ${scanned} checks): ` +
    `${findings.length} finding(s), ${serious.length} above informational`,
)
for (const f of findings)
  console.log(
    `  ${f.severity} ${f.id} ${f.file}:${f.location}${reviewed(f) ? ' (reviewed: the link is checked first)' : ''}`,
  )
if (serious.length > 0) {
  console.error(`${serious.length} finding(s) above informational:`)
  for (const f of serious) console.error(`  ${f.id} ${f.file}:${f.location} ${f.description} ${f.sample}`)
}
process.exit(serious.length > 0 || scanned === 0 ? 1 : 0)
