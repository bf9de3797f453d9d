import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import { ImportReportBody, importTitle } from '../../src/renderer/sidebar/ImportReport'

const fixture = fileURLToPath(
  new URL('../fixtures/samples/writer/postman-vendor-examples.json', import.meta.url),
)

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-import-report-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Visible text in document order. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
}

describe('the import report leads with what matters', () => {
  it('parts left out, then scripts not run, then auth not supported; 14 saved examples folded into one count', async () => {
    const r = await runImport({ file: fixture }, 'auto', dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const report = r.value
    expect(report.attention).toEqual([
      'Checkout / Upload a dispute document: form-data file part "content" has no file; left out',
      "Checkout / Make a payment: test script kept in the file; it runs in the script sandbox (not translated: if (body.action) { postman.setNextRequest('Submit details'); })",
      'Checkout / Legacy terminal API: auth type "ntlm" is not supported; auth left to inherit',
    ])
    expect(report.folded).toEqual([expect.objectContaining({ what: 'saved example responses', count: 14 })])
    expect(report.folded?.[0]?.lines).toHaveLength(6)
    // The plain list (the CLI prints it) has the same order, the long tail as one line.
    expect(report.unmapped).toEqual([
      ...(report.attention ?? []),
      '14 saved example responses not imported (Flightdeck keeps requests, not recorded responses)',
    ])

    // The head names the file as its tool does, not by the importer's key ('Imported postman').
    expect(importTitle(report.format)).toBe('Imported Postman collection')
    const shown = text(renderToStaticMarkup(createElement(ImportReportBody, { report })))
    const lines = shown.split('\n')
    expect(lines.slice(0, 5)).toEqual([
      '6 requests, 1 folder, 0 environments.',
      'Needs attention (3)',
      ...(report.attention ?? []),
    ])
    expect(lines[5]).toBe(
      '14 saved example responses not imported (Flightdeck keeps requests, not recorded responses)',
    )
    expect(shown).not.toContain('Everything was mapped')
  })
})
