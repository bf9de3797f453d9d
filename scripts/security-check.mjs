// `npm run security`: Electronegativity over the app's sources, pinned to our Electron version (so it never
// needs the network). Any finding above informational fails the run, except a "review required" finding
// that a person has reviewed and recorded, with the reason, in test/security/electronegativity-reviewed.json.
// A recorded entry that no longer occurs fails too, so the list cannot go stale.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const electronVersion = require('electron/package.json').version
const cli = join(
  require.resolve('@doyensec/electronegativity/package.json'),
  '..',
  require('@doyensec/electronegativity/package.json').bin.electronegativity,
)
const out = mkdtempSync(join(tmpdir(), 'flightdeck-eneg-'))
const csvPath = join(out, 'findings.csv')
const run = spawnSync(
  process.execPath,
  [cli, '-i', 'src', '-e', electronVersion, '-r', '-v', 'false', '-o', csvPath],
  { encoding: 'utf8', timeout: 240_000 },
)
if (run.status !== 0 && run.status !== null) {
  console.error(run.stdout, run.stderr)
  console.error(`electronegativity exited with ${run.status}`)
  process.exit(1)
}
let csv
try {
  csv = readFileSync(csvPath, 'utf8')
} catch {
  console.error(run.stdout, run.stderr)
  console.error('electronegativity wrote no report')
  process.exit(1)
}
rmSync(out, { recursive: true, force: true })

/** Parse the tool's CSV: quoted fields may contain commas. */
function parseCsvLine(line) {
  const fields = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      fields.push(cur.trim())
      cur = ''
    } else cur += c
  }
  fields.push(cur.trim())
  return fields
}

const findings = csv
  .split(/\r?\n/)
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map(parseCsvLine)
  .map(([id, severity, confidence, file, location, sample, description]) => ({
    id,
    severity,
    confidence,
    file,
    location,
    sample,
    description,
  }))

const reviewed = JSON.parse(readFileSync('test/security/electronegativity-reviewed.json', 'utf8'))
const key = (f) => `${f.id} ${f.file}`
const reviewedKeys = new Map(reviewed.map((r) => [key(r), r]))
const serious = findings.filter((f) => f.severity !== 'INFORMATIONAL')
const unreviewed = serious.filter((f) => !reviewedKeys.has(key(f)))
const seen = new Set(serious.map(key))
const stale = reviewed.filter((r) => !seen.has(key(r)))

console.log(
  `electronegativity (Electron ${electronVersion}): ${findings.length} finding(s), ` +
    `${serious.length} above informational, ${serious.length - unreviewed.length} of them reviewed`,
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
