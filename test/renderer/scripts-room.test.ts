import { describe, expect, it } from 'vitest'
import { scriptsComposerHeight } from '../../src/renderer/scripts/scripts-room'

const lines = (n: number): string =>
  Array.from({ length: n }, (_, i) => `pm.variables.set('v${i}', ${i})`).join('\n')

describe("the composer's height for a request's Scripts tab", () => {
  it('asks nothing of a request without scripts (the floor is enough)', () => {
    expect(scriptsComposerHeight({ preRequest: '', test: ' \n' }, 1020)).toBeNull()
  })

  it('side by side, the longer script decides; stacked, both count', () => {
    const eight = { preRequest: lines(8), test: lines(6) }
    const wide = scriptsComposerHeight(eight, 1020)
    const narrow = scriptsComposerHeight(eight, 764)
    expect(wide).toBe(scriptsComposerHeight({ preRequest: lines(8), test: '' }, 1020))
    // Eight lines of 17 px each in sight, above the floor's three.
    expect(wide).toBeGreaterThan(210 + 5 * 17 - 1)
    expect(narrow).toBeGreaterThan((wide ?? 0) + 6 * 17)
  })

  it('a trailing newline is no line of its own', () => {
    expect(scriptsComposerHeight({ preRequest: `${lines(8)}\n`, test: '' }, 1020)).toBe(
      scriptsComposerHeight({ preRequest: lines(8), test: '' }, 1020),
    )
  })
})
