import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_TIMELINE_ROWS } from '../../src/renderer/timeline/apply-batch'
import { harOfUpload, harOfUploads } from '../engine/har-upload-entry'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A HAR opened onto the timeline marks the rows whose multipart file parts came without their files (their row
 * and details say a file must be chosen). Those marks go with their rows: Clear takes them away, and so does the
 * timeline's window when newer rows push the marked one out. Real engine in this process; the HAR names a
 * loopback address it never calls.
 */

let engine: TestEngine
const URL = 'http://127.0.0.1:9/upload'
const BOUNDARY = '----WebKitFormBoundaryFd7tQ2cXk9RmLw3A'

/** A Chrome-recorded upload whose file part has no file: the import marks its row. */
const NEEDS_FILE = harOfUpload(URL, {
  mimeType: `multipart/form-data; boundary=${BOUNDARY}`,
  text: [
    `--${BOUNDARY}`,
    'Content-Disposition: form-data; name="receipt"; filename="receipt.pdf"',
    'Content-Type: application/pdf',
    '',
    '',
    `--${BOUNDARY}--`,
    '',
  ].join('\r\n'),
  params: [{ name: 'receipt', value: '' }],
})

beforeAll(() => {
  engine = startEngine()
})
afterAll(stopEngines)

async function importMarked(store: ReturnType<TestEngine['store']>): Promise<string> {
  await store.getState().importHar('upload.har', NEEDS_FILE)
  const [sid] = [...store.getState().harFilesToChoose.keys()]
  expect(sid).toBeDefined()
  await until(() => store.getState().timeline.rows[sid ?? ''] !== undefined)
  return sid ?? ''
}

describe('the HAR "needs a file" marks', () => {
  it('are taken away with their rows by Clear', async () => {
    const store = engine.store()
    const sid = await importMarked(store)
    expect(store.getState().harFilesToChoose.get(sid)).toEqual([{ name: 'receipt', fileName: 'receipt.pdf' }])
    store.getState().clearFinished()
    expect(store.getState().timeline.rows[sid]).toBeUndefined()
    expect(store.getState().harFilesToChoose.size).toBe(0)
  })

  it("go when their row falls out of the timeline's window", async () => {
    const store = engine.store()
    store.getState().clearFinished()
    const sid = await importMarked(store)
    const plain = Array.from({ length: MAX_TIMELINE_ROWS }, (_, i) => ({
      mimeType: 'application/json',
      params: [],
      text: `{"n":${i}}`,
    }))
    await store.getState().importHar('many.har', harOfUploads(URL, plain))
    await until(() => store.getState().timeline.rows[sid] === undefined, 30_000)
    expect(Object.keys(store.getState().timeline.rows).length).toBeLessThanOrEqual(MAX_TIMELINE_ROWS)
    expect(store.getState().harFilesToChoose.has(sid)).toBe(false)
  }, 60_000)
})
