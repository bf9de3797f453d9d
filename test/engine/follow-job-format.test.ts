import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REQUEST_KEYS } from '../../src/engine/collections/collection-file-format'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { loadCollection } from '../../src/engine/collections/loader'
import { createCollection, saveRequest } from '../../src/engine/collections/store'
import { renderYaml } from '../../src/engine/collections/yaml-doc'
import { commandSchemas } from '../../src/shared/contract'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'

/** A request file's `followJob:` and `longPoll:` (what the composer's After response tab saves). */

function parse(text: string): SavedRequest {
  const r = parseRequestText(text, 'stem')
  if (!r.ok) throw new Error(`line ${r.problem.line}: ${r.problem.message}`)
  return r.value
}

function problem(text: string): { line: number; message: string } {
  const r = parseRequestText(text, 'stem')
  if (r.ok) throw new Error('expected a problem')
  return r.problem
}

const write = (req: SavedRequest, previous: string | null = null): string =>
  renderYaml(requestPlain(req), previous, REQUEST_KEYS)

const FULL = `name: Export
method: POST
url: "{{base}}/exports"
assertions:
  - kind: json
    path: $.result.rows
    equals: 42
followJob:
  statusUrl:
    from: json
    path: $.links.status
  until:
    status:
      - 200
      - 303
    jsonPath: $.state
    equals: done
  failWhen:
    jsonPath: $.state
    equals: error
  intervalMs: 250
  backoff: exponential
  maxIntervalMs: 4000
  honourRetryAfter: false
  deadlineMs: 30000
  maxPolls: 40
`

describe('request files: followJob and longPoll', () => {
  it('followJob reads every field and writes back byte-identical, in the schema’s key order', () => {
    const req = parse(FULL)
    expect(req.followJob).toEqual({
      statusUrl: { from: 'json', path: '$.links.status' },
      until: { status: [200, 303], jsonPath: '$.state', equals: 'done' },
      failWhen: { jsonPath: '$.state', equals: 'error' },
      intervalMs: 250,
      backoff: 'exponential',
      maxIntervalMs: 4000,
      honourRetryAfter: false,
      deadlineMs: 30000,
      maxPolls: 40,
    })
    expect(write(req)).toBe(FULL)
    expect(write(req, FULL)).toBe(FULL)
    // Keys in any order read the same, and are written in the canonical one.
    const shuffled = FULL.replace(
      '  intervalMs: 250\n  backoff: exponential\n',
      '  backoff: exponential\n  intervalMs: 250\n',
    )
    expect(write(parse(shuffled))).toBe(FULL)
  })

  it('what is left out takes the defaults, which stay out of the file', () => {
    const text =
      'name: Job\nmethod: POST\nurl: http://127.0.0.1/jobs\nfollowJob:\n  statusUrl:\n    from: location\n' +
      '  until:\n    jsonPath: $.status\n    equals: succeeded\n'
    const req = parse(text)
    expect(req.followJob).toEqual({
      statusUrl: { from: 'location' },
      until: { jsonPath: '$.status', equals: 'succeeded' },
      intervalMs: 1000,
      backoff: 'fixed',
      honourRetryAfter: true,
      deadlineMs: 60000,
      maxPolls: 100,
    })
    expect(write(req)).toBe(text)
    expect(parse(write(req))).toEqual(req)
  })

  it('values are typed; a single status reads as a list; a JSONPath without equals means null', () => {
    const req = parse(
      'name: J\nurl: http://x/\nfollowJob:\n  statusUrl: {from: request}\n' +
        '  until: {status: 200, jsonPath: $.done}\n  failWhen: {jsonPath: $.code, equals: "42"}\n',
    )
    expect(req.followJob?.until).toEqual({ status: [200], jsonPath: '$.done', equals: null })
    expect(req.followJob?.failWhen).toEqual({ jsonPath: '$.code', equals: '42' })
    const typed = parse(
      'name: J\nurl: http://x/\nfollowJob:\n  statusUrl: {from: request}\n  until: {jsonPath: $.n, equals: 42}\n',
    )
    expect(typed.followJob?.until.equals).toBe(42)
    // A string that looks like a number stays a string on the way back.
    expect(parse(write(req))).toEqual(req)
    expect(write(req)).toContain('equals: "42"')
  })

  it('longPoll round-trips, with its defaults left out', () => {
    const text =
      'name: Inbox\nmethod: GET\nurl: http://127.0.0.1/inbox\nlongPoll:\n  maxRepeats: 50\n  until:\n    jsonPath: $.messages[0].id\n' +
      '    equals: 7\n  stopOnError: true\n'
    const req = parse(text)
    expect(req.longPoll).toEqual({
      maxRepeats: 50,
      deadlineMs: 60000,
      until: { jsonPath: '$.messages[0].id', equals: 7 },
      stopOnError: true,
    })
    expect(write(req)).toBe(text)
    const plain = parse('name: Inbox\nurl: http://127.0.0.1/inbox\nlongPoll: {}\n')
    expect(plain.longPoll).toEqual({ maxRepeats: 10, deadlineMs: 60000, stopOnError: false })
    expect(write(plain)).toBe('name: Inbox\nmethod: GET\nurl: http://127.0.0.1/inbox\nlongPoll: {}\n')
  })

  it('reports a bad entry with its path and line', () => {
    const head = 'name: J\nmethod: POST\nurl: http://x/\n'
    const interval = problem(
      `${head}followJob:\n  statusUrl:\n    from: location\n  until:\n    status: [200]\n  intervalMs: 5\n`,
    )
    expect(interval).toMatchObject({ line: 9 })
    expect(interval.message).toMatch(/^followJob\.intervalMs: /)
    const path = problem(
      `${head}followJob:\n  statusUrl:\n    from: json\n    path: links.status\n  until: {status: [200]}\n`,
    )
    expect(path).toMatchObject({ line: 7, message: 'followJob.statusUrl.path: A JSONPath starts with $' })
    const until = problem(`${head}followJob:\n  statusUrl: {from: location}\n  until: {}\n`)
    expect(until.line).toBe(6)
    expect(until.message).toMatch(/Say when the job is done/)
    const unknown = problem(`${head}longPoll:\n  maxRepeats: 3\n  every: 10\n`)
    expect(unknown.line).toBeGreaterThanOrEqual(4)
    expect(unknown.message).toMatch(/^longPoll/)
    const source = problem(`${head}followJob:\n  statusUrl: {from: header}\n  until: {status: [200]}\n`)
    expect(source).toMatchObject({ line: 5 })
    expect(source.message).toMatch(/^followJob\.statusUrl/)
  })

  it('a request follows a job or long-polls, not both, and only over HTTP: the line of the key is named', () => {
    const both = problem(
      'name: J\nurl: http://x/\nfollowJob:\n  statusUrl: {from: location}\n  until: {status: [200]}\n' +
        'longPoll:\n  maxRepeats: 3\n',
    )
    expect(both).toEqual({
      line: 6,
      column: 1,
      message:
        'followJob and longPoll cannot both be set: after its response a request either follows a job, long-polls or waits for a webhook',
    })
    const sse = problem('name: S\nkind: sse\nurl: http://x/\nlongPoll:\n  maxRepeats: 3\n')
    expect(sse).toMatchObject({ line: 4, message: 'longPoll applies to HTTP requests, not sse' })
    const webhook = problem(
      'name: W\nurl: http://x/\nwaitForWebhook:\n  timeoutMs: 100\nfollowJob:\n  statusUrl: {from: location}\n' +
        '  until: {status: [200]}\n',
    )
    expect(webhook).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^followJob and waitForWebhook cannot both be set/),
    })
    // The same rule refuses a save from a client.
    const save = commandSchemas['collection.save'].safeParse({
      dir: '/x',
      path: 'j.yaml',
      baseVersion: null,
      request: { ...parse('name: J\nurl: http://x/\nlongPoll: {}\n'), followJob: parse(FULL).followJob },
    })
    expect(save.success).toBe(false)
    expect(save.error?.issues[0]?.message).toMatch(/followJob and longPoll cannot both be set/)
  })

  it('a file with both is listed with its path and line; the rest of the collection loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-follow-'))
    try {
      await createCollection(dir, 'Jobs')
      writeFileSync(join(dir, 'ok.yaml'), FULL)
      writeFileSync(
        join(dir, 'both.yaml'),
        'name: Both\nurl: http://x/\nlongPoll: {}\nfollowJob:\n  statusUrl: {from: location}\n  until: {status: [200]}\n',
      )
      const { info } = await loadCollection(dir)
      expect(info.requestCount).toBe(1)
      expect(info.problems).toEqual([
        expect.objectContaining({
          path: 'both.yaml',
          line: 3,
          message: expect.stringMatching(/cannot both be set/),
        }),
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a save sets, changes and removes the follow-up; the other run fields stay as they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-follow-save-'))
    const file = join(dir, 'export.yaml')
    try {
      writeFileSync(file, FULL)
      const req = parse(FULL)
      // The composer switches to long polling: followJob goes, longPoll comes, the assertions stay.
      const { followJob: _f, ...rest } = req
      const saved = await saveRequest(
        dir,
        'export.yaml',
        { ...rest, longPoll: { maxRepeats: 5, deadlineMs: 60000, stopOnError: false } },
        null,
      )
      expect(saved.ok).toBe(true)
      const text = readFileSync(file, 'utf8')
      expect(text).toBe(`${FULL.slice(0, FULL.indexOf('followJob:'))}longPoll:\n  maxRepeats: 5\n`)
      // ...and to nothing: the key goes.
      const none = await saveRequest(dir, 'export.yaml', { ...rest }, null)
      expect(none.ok).toBe(true)
      expect(readFileSync(file, 'utf8')).toBe(FULL.slice(0, FULL.indexOf('followJob:')))
      expect(write(emptySavedRequest('New'))).not.toContain('followJob')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
