import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startCallbackServer, type CallbackServer } from '../fixtures/callback-server'
import { startJobServer, type JobServer } from '../fixtures/job-server'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Async work through the browser host in Chromium: start a 202 job and watch it poll and finish on one lane;
 * receive a webhook linked to the request that carried {{$webhook}}. Leaves docs/async-job.png.
 */

let jobs: JobServer
let hooks: CallbackServer
let runnerServer: RunnerServer
let host: RunningWebHost
let page: Page

test.describe.configure({ mode: 'serial' })

test.beforeAll(async ({ browser }) => {
  jobs = await startJobServer()
  hooks = await startCallbackServer()
  runnerServer = await startRunnerServer()
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'fd-e2e-async-')) },
  })
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
  await page.goto(host.url)
})

test.afterAll(async () => {
  await page?.close()
  await host?.stop()
  await jobs?.close()
  await hooks?.close()
  await runnerServer?.close()
})

test('a 202 job polls on its own lane and finishes there', async () => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('textbox', { name: 'URL' }).fill(`${jobs.url}/jobs?polls=4`)
  await page.getByRole('tab', { name: /After response/ }).click()
  await page.getByRole('radio', { name: 'Follow job' }).click()
  await page.getByRole('spinbutton', { name: 'Poll interval (ms)' }).fill('250')
  await expect(page.getByRole('tab', { name: /After response/ })).toContainText('follow job')
  await page.getByRole('button', { name: 'Send', exact: true }).click()

  // One row: the job's polls are drawn on it, and it says how far the job is.
  const row = timeline.locator('[role="row"][data-job]')
  await expect(row).toHaveCount(1)
  await expect(row).toHaveAttribute('data-job', 'running')
  await expect(row).toContainText('job … ')
  await expect(row).toHaveAttribute('data-job', 'completed', { timeout: 15_000 })
  await expect(row).toHaveAttribute('data-polls', '4')
  await expect(row).toContainText('job ✓ 4 polls')
  await expect(timeline.locator('[role="row"][data-sid]')).toHaveCount(1)
  expect(jobs.polls('j1')).toHaveLength(4)

  // Details: the outcome, the status URL and the four polls, each a click away.
  await row.click()
  const panel = page.getByLabel('Job', { exact: true })
  await expect(panel).toContainText('completed')
  await expect(panel.getByTestId('job-message')).toHaveText('The job completed (status 200)')
  await expect(panel).toContainText(`${jobs.url}/jobs/j1`)
  await expect(panel).toContainText('200 · "succeeded"')
  const polls = panel.getByRole('list', { name: 'Polls' }).getByRole('listitem')
  await expect(polls).toHaveCount(4)
  await polls.nth(3).click()
  await expect(page.locator('.details .status-line')).toContainText(`${jobs.url}/jobs/j1`)
  await expect(page.getByLabel('Job', { exact: true })).toContainText('Started by')
  expect(errors).toEqual([])
})

test('a webhook arrives as its own row, linked to the request that carried {{$webhook}}', async () => {
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  // Without an inbox the send is refused, saying what to do.
  await page.getByRole('radio', { name: 'Nothing' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${hooks.url}/subscribe?delay=400`)
  await page.getByRole('tab', { name: /Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON').click()
  await page
    .getByRole('textbox', { name: 'Body JSON' })
    .fill('{"callback":"{{$webhook}}","event":"deployed"}')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(
    page.getByRole('alert').filter({ hasText: 'Start the webhook inbox to use {{$webhook}}' }),
  ).toBeVisible()

  // Start the inbox from the toolbar.
  await page.getByRole('button', { name: 'Webhooks' }).click()
  const inbox = page.getByRole('dialog', { name: 'Webhook inbox' })
  await inbox.getByRole('button', { name: 'Start' }).click()
  await expect(inbox.getByLabel('Inbox URL')).toHaveText(/^http:\/\/127\.0\.0\.1:\d+$/)
  const base = (await inbox.getByLabel('Inbox URL').textContent()) ?? ''
  await page.keyboard.press('Escape')

  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const sender = timeline.locator(`[role="row"][aria-label^="POST ${hooks.url}/subscribe"]`)
  await expect(sender).toHaveCount(1)
  const senderSid = (await sender.getAttribute('data-sid')) ?? ''
  const hook = timeline.locator('[role="row"][data-kind="webhook"]')
  await expect(hook).toHaveCount(1)
  await expect(hook).toHaveAttribute(
    'aria-label',
    new RegExp(
      `^webhook POST ${base.replace(/[.]/g, '\\.')}/hooks/[A-Za-z0-9_-]+/done\\?attempt=1 caused by ${senderSid}$`,
    ),
  )
  await expect(hook).toContainText('hook')
  expect(hooks.answered).toEqual([200])

  await hook.click()
  const details = page.getByRole('region', { name: 'Webhook call' })
  await expect(details).toContainText('/done?attempt=1')
  await expect(details.getByRole('table', { name: 'Webhook headers' })).toContainText('x-signature')
  await expect(details.getByRole('table', { name: 'Webhook headers' })).toContainText('sig-123')
  await expect(details.getByLabel('Webhook body')).toContainText('"event": "deployed"')
  await details.getByRole('button', { name: new RegExp(`^POST ${hooks.url}/subscribe`) }).click()
  await expect(timeline.locator(`[role="row"][data-sid="${senderSid}"]`)).toHaveAttribute(
    'aria-selected',
    'true',
  )

  // A call the inbox cuts (its body declared past the 16 MB limit) shows too: a row on the sender's lane that
  // says cut, and details that say why and from where.
  const hookUrl = new URL(((await hook.getAttribute('aria-label')) ?? '').split(' ')[2] ?? '')
  await new Promise<void>((resolve) => {
    const s = connect(Number(hookUrl.port), hookUrl.hostname, () =>
      s.write(`POST ${hookUrl.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n`),
    )
    s.on('data', () => s.destroy())
    s.on('error', () => undefined)
    s.on('close', () => resolve())
  })
  const cut = timeline.locator('[role="row"][data-kind="webhook"][aria-label$=" cut"]')
  await expect(cut).toHaveAttribute('aria-label', new RegExp(`/done caused by ${senderSid} cut$`))
  await expect(cut).toContainText('cut')
  await cut.click()
  await expect(page.getByRole('region', { name: 'Webhook call' })).toContainText(
    "Call from 127.0.0.1 cut (answered 413): its body of 19.1 MB is over the inbox's 16.0 MB limit",
  )

  // A call to a URL the inbox never gave out (a service posting to an old URL) is a row of its own saying 404; its
  // hover card says when it came, from where and why it was refused, not a request's phases.
  const stale = `${base}/hooks/staleToken12345/done`
  expect((await fetch(stale, { method: 'POST', body: '{}' })).status).toBe(404)
  const refused = timeline.locator('[role="row"][data-kind="webhook"][aria-label$=" to an unknown URL"]')
  await expect(refused).toHaveAttribute('aria-label', `webhook POST ${stale} to an unknown URL`)
  await expect(refused).toContainText('404')
  const rb = await refused.boundingBox()
  const cb = await page.getByTestId('waterfall').boundingBox()
  if (!rb || !cb) throw new Error('no row or canvas box')
  await page.mouse.move(cb.x + 2, rb.y + rb.height / 2)
  await page.mouse.move(cb.x + cb.width * 0.5, rb.y + rb.height / 2)
  const card = page.getByRole('tooltip')
  await expect(card.getByRole('table', { name: 'The hovered incoming call' })).toContainText('From127.0.0.1')
  await expect(card).toContainText('Call from 127.0.0.1 refused (answered 404)')
  // The path called is the point of the row: in the card whole, not cut at the inbox's port.
  await expect(card.getByTestId('hover-path')).toHaveText('/hooks/staleToken12345/done')
  const cutShort = await card.evaluate((el) =>
    [...el.querySelectorAll('.hover-title, .hover-path')].some((e) => e.scrollWidth > e.clientWidth),
  )
  expect(cutShort).toBe(false)
  // An incoming call has no request time: a dash, not 0.0 ms.
  await expect(refused.locator('.c-time')).toHaveText('—')
  await page.screenshot({ path: test.info().outputPath('webhook-unknown-url-card.png') })
  await page.mouse.move(0, 0)
  // Its details put each value beside its label, as every details pane does (Received's sat at the far right).
  await refused.click()
  const refusedDetails = page.getByRole('region', { name: 'Webhook call' })
  await expect(refusedDetails).toContainText('Webhook 404')
  // Where the value's text is drawn (its element spans the column either way), from the label's right edge.
  const gap = await refusedDetails.evaluate((el) => {
    const label = [...el.querySelectorAll('dt')].find((dt) => dt.textContent === 'Received')
    const value = label?.nextElementSibling
    if (!label || !value) return null
    const text = document.createRange()
    text.selectNodeContents(value)
    return text.getBoundingClientRect().left - label.getBoundingClientRect().right
  })
  expect(gap).not.toBeNull()
  expect(gap).toBeLessThan(80)
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: test.info().outputPath('webhook-unknown-url-details-dark.png') })
  await page.emulateMedia({ colorScheme: 'light' })

  // For the README: a job on one lane and a webhook tied to its request, the job selected.
  await page.getByRole('tab', { name: /After response/ }).click()
  await page.getByRole('radio', { name: 'Follow job' }).click()
  await page.getByRole('tab', { name: /Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('None').click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${jobs.url}/jobs?polls=6&retryAfter=1`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const second = timeline.locator('[role="row"][data-job]').nth(1)
  await expect(second).toHaveAttribute('data-job', 'completed', { timeout: 20_000 })
  await second.click()
  await page.getByRole('tab', { name: /After response/ }).click()
  await page.screenshot({ path: docsPicture('async-job.png') })
})

test('a folder of 200 requests runs at concurrency 20 into the results view', async () => {
  test.setTimeout(90_000)
  // A collection with a folder of 200 requests: 190 answer 200, 10 ask for a 404 and fail their assertion.
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-run-'))
  const write = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  write('collection.yaml', `flightdeck: 1\nname: Load test\nvariables:\n  base: ${runnerServer.url}\n`)
  for (let i = 1; i <= 200; i++) {
    const bad = i % 20 === 0
    const url = bad ? '{{base}}/status/404' : `{{base}}/slow?ms=${5 + (i % 7) * 15}`
    write(
      `load/req-${String(i).padStart(3, '0')}.yaml`,
      `name: Request ${i}\nmethod: GET\nurl: "${url}"\nassertions:\n  - kind: status\n    equals: 200\n`,
    )
  }
  await page.setViewportSize({ width: 1400, height: 900 })
  await page.getByRole('button', { name: 'Clear' }).click()
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const folder = sidebar.getByRole('treeitem', { name: 'load' })
  await expect(folder).toBeVisible()
  await folder.hover()
  await sidebar.getByRole('button', { name: 'Run load', exact: true }).click()

  const runner = page.getByRole('region', { name: 'Runner' })
  await expect(runner).toBeVisible()
  await runner.getByRole('spinbutton', { name: 'Concurrency' }).fill('20')
  await runner.getByRole('spinbutton', { name: 'Iterations' }).fill('1')
  await runner.getByRole('button', { name: 'Start run' }).click()

  // Live progress, then the results.
  const bar = runner.getByRole('progressbar', { name: 'Requests done' })
  await expect(bar).toHaveAttribute('aria-valuemax', '200')
  await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 60_000 })
  await expect(bar).toHaveAttribute('aria-valuenow', '200')
  await expect(runner).toContainText('190 passed')
  await expect(runner).toContainText('10 failed')
  for (const stat of ['p50', 'p90', 'p99', 'max']) {
    await expect(runner.locator(`[data-fact="${stat}"]`)).toHaveText(/^\d+(\.\d+)? (ms|s)$/)
  }
  await expect(runner.getByRole('img', { name: /^Latency histogram/ })).toBeVisible()
  await expect(runner.getByRole('img', { name: /^Throughput/ })).toBeVisible()
  const table = runner.getByRole('table', { name: 'Results per request' })
  await expect(table.locator('tbody tr')).toHaveCount(200)
  await expect(table.locator('tbody tr.failed')).toHaveCount(10)
  await expect(table.locator('tbody tr.failed').first()).toContainText('status 404 is not 200')
  // Every request of the run went through the server, and is on the timeline like any other.
  expect(runnerServer.hits('/slow') + runnerServer.hits('/status/404')).toBe(200)
  const firstRow = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid]').first()
  await expect(firstRow).toBeVisible()
  // A run's rows are named after their requests, the URL's path beside the name.
  await expect(firstRow.locator('.req-name')).toHaveText(/^Request \d+$/)
  await expect(page.locator('.toolbar-stats')).toContainText('200 requests')
  await page.screenshot({ path: docsPicture('runner.png') })
})

test('the After response choice is saved with its request, per tab, and comes back when reopened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-after-'))
  const write = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  write('collection.yaml', `flightdeck: 1\nname: Jobs\nvariables:\n  base: ${jobs.url}\n`)
  write('export.yaml', 'name: Export\nmethod: POST\nurl: "{{base}}/jobs?polls=2"\n')
  write('status.yaml', 'name: Status\nmethod: GET\nurl: "{{base}}/jobs/j1"\n')
  await page.getByRole('region', { name: 'Runner' }).getByRole('button', { name: 'Close' }).click()
  await page.getByRole('button', { name: 'Collapse Load test' }).click()
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const afterTab = page.getByRole('tab', { name: /After response/ })

  await sidebar.getByRole('treeitem', { name: 'Export' }).click()
  await afterTab.click()
  await expect(page.getByRole('radio', { name: 'Nothing' })).toHaveAttribute('aria-checked', 'true')
  await page.getByRole('radio', { name: 'Follow job' }).click()
  await page.getByRole('spinbutton', { name: 'Poll interval (ms)' }).fill('300')
  await page.getByRole('spinbutton', { name: 'Polls at most' }).fill('12')
  await expect(page.getByRole('tab', { name: 'Export, unsaved changes' })).toBeVisible()
  await page.keyboard.press('Control+s')
  await expect(page.getByRole('tab', { name: 'Export', exact: true })).toBeVisible()
  const saved = readFileSync(join(dir, 'export.yaml'), 'utf8')
  expect(saved).toContain('followJob:\n  statusUrl:\n    from: location\n')
  expect(saved).toContain('  intervalMs: 300\n  maxPolls: 12\n')

  // Another request's tab has its own choice.
  await sidebar.getByRole('treeitem', { name: 'Status' }).click()
  await afterTab.click()
  await expect(page.getByRole('radio', { name: 'Nothing' })).toHaveAttribute('aria-checked', 'true')
  await expect(afterTab).not.toContainText('follow job')

  // Reloaded, the app reopens the collection; the request opened afresh shows what its file says.
  await page.reload()
  await sidebar.getByRole('treeitem', { name: 'Export' }).click()
  await afterTab.click()
  await expect(page.getByRole('radio', { name: 'Follow job' })).toHaveAttribute('aria-checked', 'true')
  await expect(page.getByRole('spinbutton', { name: 'Poll interval (ms)' })).toHaveValue('300')
  await expect(page.getByRole('spinbutton', { name: 'Polls at most' })).toHaveValue('12')
  await expect(afterTab).toContainText('follow job')
  await expect(page.getByRole('tab', { name: 'Export', exact: true })).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('after-response-reopened.png') })
})
