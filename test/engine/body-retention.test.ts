import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Fifo } from '../../src/engine/fifo'
import { BodyStore } from '../../src/engine/http/body-store'
import { promisesMadeBy } from './promise-count'

describe('body retention', () => {
  it('keeps the newest bodies, releases the oldest finished ones, and says so when one is asked for', async () => {
    const store = new BodyStore({ maxBodies: 3 })
    const long = store.create('text/plain')
    long.write(Buffer.from('still downloading'))
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const w = store.create('text/plain')
      w.write(Buffer.from(`body ${i}`))
      w.endInMemory()
      ids.push(w.id)
    }
    // The unfinished download is never released; the two oldest finished bodies are.
    const stillThere = await store.read(long.id, 0, 100, 'utf8')
    expect(stillThere.ok && stillThere.value.data).toBe('still downloading')
    const gone = await store.read(ids[0] as string, 0, 100, 'utf8')
    expect(gone.ok).toBe(false)
    if (!gone.ok)
      expect(gone.error.message).toBe(
        'This response body is no longer kept: Flightdeck keeps the last 3 bodies',
      )
    const newest = await store.read(ids[4] as string, 0, 100, 'utf8')
    expect(newest.ok && newest.value.data).toBe('body 4')
    const unknown = await store.read('b999', 0, 10, 'utf8')
    expect(!unknown.ok && unknown.error.message).toBe('No body with id b999')
    await store.dispose()
  })
})

describe('letting go of bodies', () => {
  it('makes no promise for a body that stayed in memory, and still removes one that reached disk', async () => {
    // A collection run lets go of one body a request (the oldest past the store's limit, or a session's record):
    // 7 promises each when every body was taken for one on disk. Counted, not timed.
    const store = new BodyStore({ maxBodies: 100, memoryLimit: 64 })
    const ids: string[] = []
    const promises = promisesMadeBy(() => {
      for (let i = 0; i < 1000; i++) {
        const w = store.create('application/json')
        w.write(Buffer.from(`{"item":${i}}`))
        w.endInMemory()
        ids.push(w.id)
      }
      for (const id of ids.slice(-100)) void store.delete(id)
    })
    expect(promises).toBe(0)
    const gone = await store.read(ids[999] as string, 0, 10, 'utf8')
    expect(gone.ok).toBe(false)
    // Past the memory limit the body is on disk: letting go of it closes and removes its file.
    const big = store.create('text/plain')
    big.write(Buffer.alloc(1000, 'x'))
    await big.end()
    const where = big.location()
    const path = 'path' in where ? where.path : ''
    expect(existsSync(path)).toBe(true)
    await store.delete(big.id)
    expect(existsSync(path)).toBe(false)
    await store.dispose()
  })
})

describe('Fifo', () => {
  it('hands items back in arrival order across its compaction', () => {
    const q = new Fifo<number>()
    let next = 0
    for (let i = 0; i < 5000; i++) q.push(i)
    for (let i = 0; i < 4000; i++) expect(q.shift()).toBe(next++)
    for (let i = 5000; i < 6000; i++) q.push(i)
    expect(q.size).toBe(2000)
    while (q.size > 0) expect(q.shift()).toBe(next++)
    expect(next).toBe(6000)
    expect(q.shift()).toBeUndefined()
  })
})
