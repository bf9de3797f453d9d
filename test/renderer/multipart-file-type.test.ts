import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { MultipartTable } from '../../src/renderer/composer/MultipartTable'
import { createAppStore } from '../../src/renderer/store/app-store'
import type { MultipartPart } from '../../src/shared/request'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/** The content-type box of each part as drawn: its value and its greyed placeholder. */
function typeBoxes(parts: MultipartPart[]): { value: string; placeholder: string }[] {
  const html = renderOverStore(
    createAppStore(fakeClient().client),
    createElement(MultipartTable, { parts, onChange: () => undefined }),
  )
  return [...html.matchAll(/<input[^>]*aria-label="Part \d+ content type"[^>]*>/g)].map((m) => ({
    value: /\svalue="([^"]*)"/.exec(m[0])?.[1] ?? '',
    placeholder: /\splaceholder="([^"]*)"/.exec(m[0])?.[1] ?? '',
  }))
}

describe('the multipart table’s content type of a file part', () => {
  it('shows, when none is typed, the type the engine sends: the one the file’s name says', () => {
    expect(
      typeBoxes([
        { kind: 'file', name: 'receipt', path: '/home/ana/may.csv', enabled: true },
        { kind: 'file', name: 'dump', path: 'dump.unknownext', enabled: true },
        { kind: 'file', name: 'scan', path: 'scan.png', contentType: 'image/x-scan', enabled: true },
        { kind: 'file', name: 'new', path: '', enabled: true },
      ]),
    ).toEqual([
      { value: '', placeholder: 'text/csv' },
      { value: '', placeholder: 'application/octet-stream' },
      { value: 'image/x-scan', placeholder: 'image/png' },
      { value: '', placeholder: 'content type (by its name)' },
    ])
  })
})
