import { describe, expect, it } from 'vitest'
import { Fifo } from '../../src/engine/fifo'
import { BodyStore } from '../../src/engine/http/body-store'

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
