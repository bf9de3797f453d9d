// `npm run security`: Electronegativity over the app's sources, pinned to our Electron version, so the result
// does not depend on the network (its look-up of newer Electron releases may fail offline, harmlessly). Any
// finding above informational fails the run, except a "review required" finding that a person has reviewed
// and recorded, with the reason, in test/security/electronegativity-reviewed.json. A recorded entry that no
// longer occurs fails too, so the list cannot go stale.
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

const reviewed = JSON.parse(readFileSync('test/security/electronegativity-reviewed.json', 'utf8'))
const key = (f) => `${f.id} ${f.file}`
const reviewedKeys = new Map(reviewed.map((r) => [key(r), r]))
const serious = findings.filter((f) => f.severity !== 'INFORMATIONAL')
const unreviewed = serious.filter((f) => !reviewedKeys.has(key(f)))
const seen = new Set(serious.map(key))
const stale = reviewed.filter((r) => !seen.has(key(r)))

console.log(
  `electronegativity (Electron ${electronVersion}, ${result.atomicChecks + result.globalChecks} checks): ` +
    `${findings.length} finding(s), ${serious.length} above informational, ` +
    `${serious.length - unreviewed.length} of them reviewed`,
)
for (const f of serious) {
  const r = reviewedKeys.get(key(f))
  console.log(`  ${r ? 'reviewed ' : 'NEW      '} ${f.severity} ${f.id} ${f.file}:${f.location}`)
  if (r) console.log(`            ${r.reason}`)
}
if (unreviewed.length > 0) {
  console.error(`${unreviewed.length} finding(s) need fixing (or a recorded review):`)
  for (const f of unreviewed) console.error(`  ${f.id} ${f.file}:${f.location} ${f.description} ${f.sample}`)
}
if (stale.length > 0) {
  console.error('Reviewed entries that no longer occur (remove them):')
  for (const r of stale) console.error(`  ${r.id} ${r.file}`)
}
process.exit(unreviewed.length > 0 || stale.length > 0 ? 1 : 0)
