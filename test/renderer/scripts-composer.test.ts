import { CompletionContext } from '@codemirror/autocomplete'
import { javascript } from '@codemirror/lang-javascript'
import { ensureSyntaxTree } from '@codemirror/language'
import { json } from '@codemirror/lang-json'
import { EditorState } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import { scriptCompletionSource } from '../../src/renderer/scripts/script-completion'
import { scriptsBadge } from '../../src/renderer/scripts/script-draft'
import { draftToSaved, extrasOf, savedKey, savedToDraft } from '../../src/renderer/tabs/draft-convert'

/**
 * A state's first parse has a time budget (CodeMirror's, by the wall clock): on a machine busy enough to pause this
 * process past it, the tree stops short of the cursor and completion finds no path. In the editor the view parses
 * on; here the parse is finished (ensureSyntaxTree) and taken into the state (an empty update) before completing.
 */
function complete(doc: string, lang = javascript()) {
  let state = EditorState.create({ doc, extensions: [lang] })
  ensureSyntaxTree(state, doc.length, 10_000)
  state = state.update({}).state
  return scriptCompletionSource(new CompletionContext(state, doc.length, false))
}
const labels = (doc: string): string[] => (complete(doc)?.options ?? []).map((o) => o.label)

const withScripts = (scripts: SavedRequest['scripts']): SavedRequest => ({
  ...emptySavedRequest('Get item'),
  url: 'http://127.0.0.1:1/items',
  ...(scripts ? { scripts } : {}),
})

function roundTrip(req: SavedRequest): SavedRequest {
  return draftToSaved(savedToDraft(req), extrasOf(req), req.options)
}

describe('the Scripts tab draft', () => {
  it('opens and saves a request with scripts unchanged, translated flag included', () => {
    for (const scripts of [
      { preRequest: "pm.environment.set('a', 1)" },
      { test: "pm.test('ok', () => {})", translated: true },
      { preRequest: 'x()', test: 'y()', translated: false },
      undefined,
    ]) {
      const req = withScripts(scripts)
      expect(savedKey(roundTrip(req))).toBe(savedKey(req))
    }
  })

  it('saves what was typed into the file, and removes scripts emptied', () => {
    const req = withScripts({ preRequest: 'old()' })
    const d = savedToDraft(req)
    d.scripts = { ...d.scripts, preRequest: '', test: "pm.test('t', () => {})" }
    expect(draftToSaved(d, extrasOf(req), {}).scripts).toEqual({ test: "pm.test('t', () => {})" })
    d.scripts = { ...d.scripts, test: '' }
    expect('scripts' in draftToSaved(d, extrasOf(req), {})).toBe(false)
  })

  it('badges the tab with the scripts the request has', () => {
    expect(scriptsBadge({ preRequest: ' ', test: '' })).toBe('')
    expect(scriptsBadge({ preRequest: 'a()', test: 'b()' })).toBe('pre + post')
    expect(scriptsBadge({ preRequest: '', test: 'b()', translated: true })).toBe('translated')
  })
})

describe('completion in a script editor', () => {
  it('offers the pm API member by member', () => {
    expect(labels('pm.')).toEqual(
      expect.arrayContaining(['test', 'expect', 'response', 'environment', 'sendRequest']),
    )
    expect(labels('pm.response.')).toEqual(
      expect.arrayContaining(['code', 'json', 'headers', 'responseTime', 'to']),
    )
    expect(labels('pm.response.to.have.')).toEqual(
      expect.arrayContaining(['status', 'header', 'jsonBody', 'jsonSchema']),
    )
    expect(labels('pm.cookies.')).toEqual(expect.arrayContaining(['get', 'has', 'toObject', 'jar']))
    expect(labels('pm.collectionVariables.')).toEqual(expect.arrayContaining(['get', 'set']))
    expect(labels('pm.execution.')).toContain('setNextRequest')
    expect(labels('console.')).toEqual(expect.arrayContaining(['log', 'warn', 'error']))
  })

  it('offers Bruno names only in a script that uses them, and the script’s own names', () => {
    expect(labels('p')).not.toContain('bru')
    expect(labels('bru.setVar("a", 1)\nb')).toContain('bru')
    expect(labels('bru.setVar("a", 1)\nbru.')).toEqual(expect.arrayContaining(['getVar', 'setEnvVar']))
    expect(labels('const token = 1\nto')).toContain('token')
  })

  it('stays out of other languages and unknown paths', () => {
    expect(complete('pm.', json())).toBeNull()
    expect(complete('foo.bar.')).toBeNull()
  })
})
