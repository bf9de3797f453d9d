import { describe, expect, it } from 'vitest'
import { BRIDGE_PRELOAD_ID, prepareAppSession, type AppSession } from '../../src/main/app-session'
import { devRendererLocation, fileRendererLocation } from '../../src/engine/hosts/renderer-location'

type HeadersListener = (
  details: { responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders: Record<string, string[]> }) => void,
) => void

/** A session that records what the app asks of it, answering like Electron's would. */
function recordingSession() {
  const preloads: { type: string; id: string; filePath: string }[] = []
  let onHeaders: HeadersListener | null = null
  const permission: {
    request: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null
    check: (() => boolean) | null
    device: (() => boolean) | null
  } = { request: null, check: null, device: null }
  const session = {
    registerPreloadScript(script: { type: string; id?: string; filePath: string }) {
      const id = script.id ?? `random-${preloads.length}`
      preloads.push({ type: script.type, id, filePath: script.filePath })
      return id
    },
    getPreloadScripts: () => [...preloads],
    webRequest: { onHeadersReceived: (l: HeadersListener) => void (onHeaders = l) },
    setPermissionRequestHandler: (h: typeof permission.request) => void (permission.request = h),
    setPermissionCheckHandler: (h: typeof permission.check) => void (permission.check = h),
    setDevicePermissionHandler: (h: typeof permission.device) => void (permission.device = h),
  }
  const headersFor = (responseHeaders: Record<string, string[]>): Record<string, string[]> => {
    let out: Record<string, string[]> = {}
    onHeaders?.({ responseHeaders }, (r) => (out = r.responseHeaders))
    return out
  }
  return { session: session as unknown as AppSession, preloads, headersFor, permission }
}

describe('the app session', () => {
  const config = {
    preloadPath: '/app/out/preload/index.cjs',
    renderer: fileRendererLocation('/app/out/renderer/index.html'),
    pageScripts: ["'sha256-pinned='"],
  }

  it('carries the bridge as its one frame preload, registered once', () => {
    const s = recordingSession()
    prepareAppSession(s.session, config)
    prepareAppSession(s.session, config)
    expect(s.preloads).toEqual([
      { type: 'frame', id: BRIDGE_PRELOAD_ID, filePath: '/app/out/preload/index.cjs' },
    ])
  })

  it("replaces any CSP a response sends with the page's pinned policy and denies every permission", () => {
    const s = recordingSession()
    prepareAppSession(s.session, config)
    const headers = s.headersFor({ 'content-security-policy': ['script-src *'], 'x-other': ['1'] })
    expect(Object.keys(headers).filter((k) => k.toLowerCase() === 'content-security-policy')).toHaveLength(1)
    expect(headers['Content-Security-Policy']?.[0]).toContain("script-src 'sha256-pinned=';")
    expect(headers['X-Content-Type-Options']).toEqual(['nosniff'])
    expect(headers['x-other']).toEqual(['1'])
    let granted: boolean | null = null
    s.permission.request?.(null, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(s.permission.check?.()).toBe(false)
    expect(s.permission.device?.()).toBe(false)
  })

  it('under the dev server allows that origin only', () => {
    const s = recordingSession()
    prepareAppSession(s.session, {
      ...config,
      renderer: devRendererLocation('http://localhost:5173'),
      pageScripts: null,
    })
    const csp = s.headersFor({})['Content-Security-Policy']?.[0] ?? ''
    expect(csp).toContain("script-src 'self' 'unsafe-inline' http://localhost:5173;")
  })
})
