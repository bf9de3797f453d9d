import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { isTabDirty } from '../../src/renderer/tabs/request-tab'
import { folderChoices } from '../../src/renderer/tabs/save-as'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Ctrl/Cmd+S on a request that has no file yet asks where it goes; nothing is written until the person says,
 * and then it lands in the collection and folder they chose, under their name. Real engine, real folder.
 */

let engine: TestEngine
let store: AppStore
let dir: string
const s = () => store.getState()
const activeTab = () => s().tabs.find((t) => t.id === s().activeTabId)!

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-save-as-'))
  mkdirSync(join(dir, 'users', 'admin'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(join(dir, 'users', 'list.yaml'), 'name: List\nmethod: GET\nurl: http://127.0.0.1:1/users\n')
  writeFileSync(
    join(dir, 'users', 'admin', 'ban.yaml'),
    'name: Ban\nmethod: POST\nurl: http://127.0.0.1:1/ban\n',
  )
  engine = startEngine()
  store = engine.store()
  await openCollection(store, dir)
})
afterAll(async () => {
  await stopEngines()
})

describe('Save as', () => {
  it('asks first, then writes into the chosen folder under the chosen name', async () => {
    s().newTab()
    s().setMethod('POST')
    s().setUrl('http://127.0.0.1:1/users/invite?x=1')
    await s().saveActiveTab()
    // Nothing written yet: the dialog is asked for, with a name from the URL.
    expect(s().saveAs).toEqual({ tabId: activeTab().id, name: 'POST invite' })
    expect(activeTab().path).toBeNull()

    const info = s().collections.find((c) => c.dir === dir)!
    expect(folderChoices(info.root).map((f) => f.label)).toEqual(['(top level)', 'users', 'users › admin'])

    expect(await s().saveTabAs(dir, 'users/admin', 'Invite an admin')).toBe(true)
    expect(s().saveAs).toBeNull()
    const path = activeTab().path!
    expect(path).toMatch(/^users\/admin\/.+\.yaml$/)
    const text = readFileSync(join(dir, path), 'utf8')
    expect(text).toContain('name: Invite an admin')
    expect(text).toContain('url: http://127.0.0.1:1/users/invite?x=1')
    expect(isTabDirty(activeTab())).toBe(false)

    // The next Ctrl/Cmd+S writes to that file, with no dialog.
    s().setUrl('http://127.0.0.1:1/users/invite?x=2')
    await s().saveActiveTab()
    expect(s().saveAs).toBeNull()
    expect(readFileSync(join(dir, path), 'utf8')).toContain('?x=2')
  })

  it('cancel writes nothing', async () => {
    s().newTab()
    s().setUrl('http://127.0.0.1:1/nothing')
    await s().saveActiveTab()
    expect(s().saveAs).not.toBeNull()
    s().cancelSaveAs()
    expect(s().saveAs).toBeNull()
    expect(existsSync(join(dir, 'get-nothing.yaml'))).toBe(false)
    expect(activeTab().path).toBeNull()
  })
})
