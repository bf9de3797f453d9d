import { testLabel } from '../shared/scripts'
import type { StepResultSummary } from '../shared/run-schemas'
import { failureReason, jobLine, type RunOutcome } from './run-report'

/**
 * What `flightdeck run --reporters junit` writes: JUnit XML for CI, from the same outcome as the summary table and
 * run.json (run-report.ts). Pure, so it is tested without a network.
 */

/** Characters XML 1.0 cannot hold at all (control characters other than tab, LF, CR; lone surrogates). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- these are exactly the characters being removed
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('')

const seconds = (ms: number): string => (ms / 1000).toFixed(3)

/** Each script test (`pm.test`, `tests[...]`) of a request as a test case of its own, by name. */
function scriptCases(
  results: ReadonlyMap<number, StepResultSummary>,
  classname: string,
  iterations: number,
  stepName: string,
): { cases: string[]; failures: number } {
  const cases: string[] = []
  let failures = 0
  for (const [i, r] of results) {
    for (const report of [r.scripts?.pre, r.scripts?.post]) {
      for (const t of report?.tests ?? []) {
        const name = `${stepName}${iterations > 1 ? ` [${i + 1}]` : ''} › ${testLabel(t)}`
        const head = `    <testcase${attrs({ name, classname, time: seconds(0) })}`
        if (t.skipped) cases.push(`${head}>\n      <skipped/>\n    </testcase>`)
        else if (t.passed) cases.push(`${head}/>`)
        else {
          failures++
          const message = t.error ?? 'failed'
          cases.push(
            `${head}>\n      <failure${attrs({ message, type: 'script' })}>${xmlEscape(message)}</failure>\n    </testcase>`,
          )
        }
      }
    }
  }
  return { cases, failures }
}

/**
 * JUnit XML as Jenkins, GitLab and GitHub reporters read it: one <testsuite> per request, one <testcase> per
 * iteration. A failed assertion is a <failure>; a request that got no response is an <error>; a planned run
 * that never happened (a dependency failed, --bail, cancel) is <skipped/>.
 */
export function junitXml(o: RunOutcome): string {
  const byStep = new Map<string, Map<number, StepResultSummary>>()
  for (const r of o.results) {
    const m = byStep.get(r.stepId) ?? new Map<number, StepResultSummary>()
    m.set(r.iteration, r)
    byStep.set(r.stepId, m)
  }
  const timestamp = new Date(o.startedAt).toISOString().replace(/\.\d{3}Z$/, '')
  const suites: string[] = []
  let tests = 0
  let failures = 0
  let errors = 0
  let skippedAll = 0
  for (const step of o.steps) {
    const results = byStep.get(step.id) ?? new Map<number, StepResultSummary>()
    const cases: string[] = []
    let sf = 0
    let se = 0
    let ss = 0
    let time = 0
    const classname = `${o.collection}.${step.path.replace(/\.ya?ml$/, '').replace(/\//g, '.')}`
    for (let i = 0; i < o.iterations; i++) {
      const r = results.get(i)
      const name = o.iterations > 1 ? `${step.name} [${i + 1}]` : step.name
      if (!r) {
        ss++
        cases.push(
          `    <testcase${attrs({ name, classname, time: seconds(0) })}>\n      <skipped/>\n    </testcase>`,
        )
        continue
      }
      time += r.timeMs
      const head = `    <testcase${attrs({ name, classname, time: seconds(r.timeMs) })}`
      // A job's course (its polls and time) is worth seeing when it passed too.
      const job = r.job ? `\n      <system-out>${xmlEscape(r.job.message)}</system-out>` : ''
      if (r.passed) {
        cases.push(job ? `${head}>${job}\n    </testcase>` : `${head}/>`)
        continue
      }
      const details = [
        `${r.path} iteration ${r.iteration + 1}${r.status !== undefined ? `, status ${r.status}` : ''}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`,
        ...(r.job ? [jobLine(r) ?? ''] : []),
        ...r.assertions.map((a) => `${a.passed ? 'ok  ' : 'FAIL'} ${testLabel(a)}: ${a.message}`),
      ].join('\n')
      if (r.error) {
        se++
        cases.push(
          `${head}>\n      <error${attrs({ message: `${r.error.code}: ${r.error.message}`, type: r.error.code })}>${xmlEscape(details)}</error>${job}\n    </testcase>`,
        )
      } else {
        sf++
        cases.push(
          `${head}>\n      <failure${attrs({ message: failureReason(r), type: 'assertion' })}>${xmlEscape(details)}</failure>${job}\n    </testcase>`,
        )
      }
    }
    const scripted = scriptCases(results, classname, o.iterations, step.name)
    cases.push(...scripted.cases)
    sf += scripted.failures
    tests += o.iterations + scripted.cases.length
    failures += sf
    errors += se
    skippedAll += ss
    suites.push(
      `  <testsuite${attrs({ name: step.path, tests: o.iterations + scripted.cases.length, failures: sf, errors: se, skipped: ss, time: seconds(time), timestamp })}>\n${cases.join('\n')}\n  </testsuite>`,
    )
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites${attrs({ name: `Flightdeck run: ${o.path === '' ? o.collection : `${o.collection} › ${o.path}`}`, tests, failures, errors, skipped: skippedAll, time: seconds(o.finished.durationMs) })}>\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  )
}
