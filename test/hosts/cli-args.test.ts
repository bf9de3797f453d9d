import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { normalizeUrl, parseCliArgs, parseHeader } from '../../src/cli/args'
import { parseGraphqlArgs } from '../../src/cli/graphql-args'
import { parseGrpcArgs } from '../../src/cli/grpc-args'
import { parseMessagingArgs } from '../../src/cli/mqtt-socketio-args'
import { parseStreamArgs } from '../../src/cli/stream-args'
import { fileVariable } from '../../src/cli/unresolved-variable'

describe('CLI arguments', () => {
  it('a bare send is a GET with defaults', () => {
    expect(parseCliArgs(['send', 'http://127.0.0.1:8080/hello'])).toEqual({
      kind: 'send',
      json: false,
      trace: false,
      request: {
        method: 'GET',
        url: 'http://127.0.0.1:8080/hello',
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
  })

  it('reads curl-style options in any order', () => {
    const cmd = parseCliArgs([
      '-X',
      'put',
      'send',
      '-H',
      'X-One: 1',
      '--header',
      'Content-Type: application/json',
      'https://example.test/a?b=c',
      '-d',
      '{"a":1}',
      '--json',
      '-k',
      '--timeout',
      '1500',
    ])
    expect(cmd).toEqual({
      kind: 'send',
      json: true,
      trace: false,
      request: {
        method: 'PUT',
        url: 'https://example.test/a?b=c',
        headers: [
          { name: 'X-One', value: '1', enabled: true },
          { name: 'Content-Type', value: 'application/json', enabled: true },
        ],
        body: { kind: 'text', text: '{"a":1}', contentType: 'application/json' },
        options: { insecure: true, totalTimeoutMs: 1500 },
      },
    })
  })

  it('-d implies POST with curl’s form content type; @path sends a file', () => {
    const post = parseCliArgs(['send', 'http://h/', '-d', 'a=1'])
    expect(post).toMatchObject({
      request: {
        method: 'POST',
        body: { kind: 'text', text: 'a=1', contentType: 'application/x-www-form-urlencoded' },
      },
    })
    expect(parseCliArgs(['send', 'http://h/', '-d', '@/tmp/x.bin'])).toMatchObject({
      request: { method: 'POST', body: { kind: 'file', path: '/tmp/x.bin' } },
    })
  })

  it('-F implies POST with a multipart body, a part per -F in order (-X still wins)', () => {
    expect(
      parseCliArgs(['send', 'http://h/', '-F', 'a=1', '-F', 'f=@/tmp/x.png;filename=y.png']),
    ).toMatchObject({
      request: {
        method: 'POST',
        body: {
          kind: 'multipart',
          parts: [
            { kind: 'text', name: 'a', value: '1', enabled: true },
            { kind: 'file', name: 'f', path: '/tmp/x.png', fileName: 'y.png', enabled: true },
          ],
        },
      },
    })
    expect(parseCliArgs(['send', 'http://h/', '-X', 'PUT', '-F', 'a=1'])).toMatchObject({
      request: { method: 'PUT' },
    })
  })

  it('help', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' })
    expect(parseCliArgs(['send', '-h'])).toEqual({ kind: 'help' })
  })

  it.each([
    [[]],
    [['fetch', 'http://h/']],
    [['send']],
    [['send', 'http://h/', 'extra']],
    [['send', 'ftp://h/']],
    [['send', 'http://']],
    [['send', 'http://h/', '--nope']],
    [['send', 'http://h/', '-H', 'no colon']],
    [['send', 'http://h/', '-H', 'bad name: v']],
    [['send', 'http://h/', '-X', 'GE T']],
    [['send', 'http://h/', '--timeout', 'soon']],
    [['send', 'http://h/', '--timeout', '0']],
    [['send', 'http://h/', '--timeout']],
    [['send', 'http://h/', '-d', '@']],
    [['send', 'http://h/', '-F', 'noequals']],
    [['send', 'http://h/', '-F', '=v']],
    [['send', 'http://h/', '-F', 'f=@']],
    [['send', 'http://h/', '-F', 'f=<']],
    [['send', 'http://h/', '-F', 'f=<notes.txt;filename=n.txt']],
    [['send', 'http://h/', '-F', 'f=text;filename=x.txt']],
    [['send', 'http://h/', '-F', 'f=@a.png;type=']],
    [['send', 'http://h/', '-F', 'f=@a.png;headers=X-A: 1']],
    [['send', 'http://h/', '-F', 'f=v; encoder=base64']],
    [['send', '--collection', 'c', '--request', 'r', '-F', 'a=1']],
  ])('rejects %j with one line', (argv) => {
    const cmd = parseCliArgs(argv)
    expect(cmd.kind).toBe('error')
    if (cmd.kind === 'error') {
      expect(cmd.message).not.toContain('\n')
      expect(cmd.message.length).toBeGreaterThan(0)
    }
  })

  it('a {{variable}} in a plain send is refused, naming it and where: it would go out as braces', () => {
    const refused = (args: string[]): string => {
      const c = parseCliArgs(args)
      return c.kind === 'error' ? c.message : `parsed as ${c.kind}`
    }
    expect(refused(['send', 'http://127.0.0.1:1/users?token={{ token }}'])).toMatch(
      /^\{\{token\}\} in the URL is a variable, and a plain send has none: .*--collection DIR --request PATH/,
    )
    expect(refused(['send', 'http://127.0.0.1:1/', '-H', 'Authorization: Bearer {{$guid}}'])).toMatch(
      /^\{\{\$guid\}\} in a header is a variable/,
    )
    expect(refused(['send', 'http://127.0.0.1:1/', '-d', '{"id":"{{id}}"}'])).toMatch(
      /^\{\{id\}\} in the body \(-d\) is a variable/,
    )
    // JSON's nested braces and a file's bytes are not variables.
    expect(parseCliArgs(['send', 'http://127.0.0.1:1/', '-d', '{"a":{"b":{}}}']).kind).toBe('send')
    expect(parseCliArgs(['send', 'http://127.0.0.1:1/', '-d', '@{{body}}.json']).kind).toBe('send')
  })

  it('every one-off command refuses a {{variable}} the same way (exit 2, naming it and where), not only send', () => {
    type Parsed = { kind: string; message?: string }
    const refused = (parse: (argv: string[]) => Parsed, argv: string[]): string => {
      const c = parse(argv)
      return c.kind === 'error' ? (c.message ?? '') : `parsed as ${c.kind}`
    }
    const sse = (a: string[]): Parsed => parseStreamArgs(['sse', ...a])
    const ws = (a: string[]): Parsed => parseStreamArgs(['ws', ...a])
    const graphql = (a: string[]): Parsed => parseGraphqlArgs(['graphql', ...a])
    const grpc = (a: string[]): Parsed => parseGrpcArgs(a)
    const mqtt = (a: string[]): Parsed => parseMessagingArgs(['mqtt', ...a])
    const socketio = (a: string[]): Parsed => parseMessagingArgs(['socketio', ...a])
    const cases: [(a: string[]) => Parsed, string[], RegExp][] = [
      [
        sse,
        ['http://127.0.0.1:1/events', '-H', 'Authorization: Bearer {{token}}'],
        /^\{\{token\}\} in a header .* plain sse has none/,
      ],
      [sse, ['http://127.0.0.1:1/', '-d', '{"since":"{{ cursor }}"}'], /^\{\{cursor\}\} in the body \(-d\)/],
      [
        ws,
        ['ws://127.0.0.1:1/chat?room={{room}}'],
        /^\{\{room\}\} in the URL is a variable, and a plain ws has none/,
      ],
      [ws, ['ws://127.0.0.1:1/', '-s', '{"join":"{{$guid}}"}'], /^\{\{\$guid\}\} in a message \(--send\)/],
      [
        graphql,
        ['http://127.0.0.1:1/graphql', '-q', 'query { user(id: "{{id}}") { name } }'],
        /^\{\{id\}\} in the query/,
      ],
      [
        graphql,
        ['http://127.0.0.1:1/graphql', '-q', '{ a }', '-v', '{"id":"{{id}}"}'],
        /^\{\{id\}\} in the variables/,
      ],
      [
        grpc,
        ['127.0.0.1:1', 'a.B/C', '-d', '{"name":"{{name}}"}'],
        /^\{\{name\}\} in the message \(-d\) .* plain grpc has none/,
      ],
      [grpc, ['127.0.0.1:1', 'a.B/C', '-H', 'authorization: {{token}}'], /^\{\{token\}\} in metadata \(-H\)/],
      [mqtt, ['mqtt://127.0.0.1:1', '--pub', 'devices/{{id}} on'], /^\{\{id\}\} in a publish \(--pub\)/],
      [
        mqtt,
        ['mqtt://127.0.0.1:1', '--sub', 'a/#', '-P', '{{password}}'],
        /^\{\{password\}\} in the password/,
      ],
      [
        socketio,
        ['http://127.0.0.1:1', '--emit', 'join {"room":"{{room}}"}'],
        /^\{\{room\}\} in an emit \(--emit\)/,
      ],
      [
        socketio,
        ['http://127.0.0.1:1', '--auth', '{"token":"{{token}}"}'],
        /^\{\{token\}\} in the auth payload/,
      ],
    ]
    for (const [parse, argv, words] of cases) {
      const message = refused(parse, argv)
      expect(message).toMatch(words)
      // A saved gRPC request is called by grpc itself; the others run in flightdeck run.
      expect(message).toContain(
        parse === grpc ? 'flightdeck grpc --collection DIR --request PATH' : 'flightdeck run DIR PATH',
      )
    }
    // JSON's nested braces and a file's text are not variables.
    expect(ws(['ws://127.0.0.1:1/', '-s', '{"a":{"b":{}}}']).kind).toBe('ws')
    expect(graphql(['http://127.0.0.1:1/graphql', '-q', '@{{q}}.graphql']).kind).toBe('graphql')
    expect(grpc(['127.0.0.1:1', 'a.B/C', '-d', '@{{m}}.json']).kind).toBe('call')
  })

  it('a {{variable}} in a text file sent with -d @file is refused as typed text is (each command: cli, cli-stream-closing-reason, graphql-cli)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-cli-file-vars-'))
    const put = (name: string, data: string | Buffer): string => {
      writeFileSync(join(dir, name), data)
      return join(dir, name)
    }
    try {
      const body = put('body.json', '{\n  "token": "{{ token }}"\n}\n')
      expect(await fileVariable('send', body, 'the body, -d @file')).toMatch(
        /^\{\{token\}\} on line 2 of .*body\.json \(the body, -d @file\) is a variable, and a plain send has none: .*--collection DIR/,
      )
      // Past the first 64 KiB read, split across two reads.
      const far = put('far.txt', `${'a\n'.repeat(32_766)}x{{split_name}}`)
      expect(await fileVariable('sse', far, 'the body, -d @file')).toMatch(
        /^\{\{split_name\}\} on line 32767 of .*far\.txt .* plain sse has none/,
      )
      // A binary file's bytes go as they are, and so does what is not a regular file (read once, by the send).
      const binary = put('image.bin', Buffer.concat([Buffer.from([0x89, 0x00, 0xff]), Buffer.from('{{x}}')]))
      expect(await fileVariable('send', binary, 'the body, -d @file')).toBeNull()
      expect(await fileVariable('send', dir, 'the body, -d @file')).toBeNull()
      expect(await fileVariable('send', put('plain.json', '{"a":{"b":{}}}'), 'the body')).toBeNull()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('headers and URLs', () => {
    expect(parseHeader('Accept:  text/html ')).toEqual({
      send: { name: 'Accept', value: 'text/html', enabled: true },
    })
    // curl's: 'Name:' leaves the header out, 'Name;' sends it empty.
    expect(parseHeader('X-Gone:')).toEqual({ leaveOut: 'X-Gone' })
    expect(parseHeader('X-Empty;')).toEqual({ send: { name: 'X-Empty', value: '', enabled: true } })
    expect(parseHeader(': v')).toBeNull()
    expect(normalizeUrl('example.test/x')).toBe('http://example.test/x')
    expect(normalizeUrl('file:///etc/passwd')).toBeNull()
    // A scheme typed with one slash is read as URL parsers read it, not as a host named http or file.
    expect(normalizeUrl('http:/127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x')
    expect(normalizeUrl('file:/etc/passwd')).toBeNull()
    expect(parseStreamArgs(['ws', 'ws:/127.0.0.1:1/'])).toMatchObject({ url: 'ws://127.0.0.1:1/' })
    expect(parseStreamArgs(['sse', 'http:\\\\127.0.0.1:1\\e'])).toMatchObject({
      request: { url: 'http://127.0.0.1:1/e' },
    })
    // graphql, mqtt and socketio read it the same way: not mqtt://mqtt:/h, nor a host named http or file.
    expect(parseGraphqlArgs(['graphql', 'http:/127.0.0.1:1/graphql', '-q', '{a}'])).toMatchObject({
      url: 'http://127.0.0.1:1/graphql',
    })
    expect(parseGraphqlArgs(['graphql', 'file:/etc/passwd', '-q', '{a}'])).toMatchObject({ kind: 'error' })
    expect(parseMessagingArgs(['socketio', 'WS:\\127.0.0.1:1'])).toMatchObject({ url: 'ws://127.0.0.1:1/' })
    expect(parseMessagingArgs(['socketio', 'mqtt:/127.0.0.1:1'])).toMatchObject({ kind: 'error' })
    expect(parseMessagingArgs(['mqtt', 'mqtt:/127.0.0.1:1', '--sub', 'a'])).toMatchObject({
      url: 'mqtt:/127.0.0.1:1',
    })
    expect(parseMessagingArgs(['mqtt', 'file:/x', '--sub', 'a'])).toMatchObject({ kind: 'error' })
    expect(parseMessagingArgs(['mqtt', '127.0.0.1:1883', '--sub', 'a'])).toMatchObject({
      url: 'mqtt://127.0.0.1:1883',
    })
  })
})
