import { describe, expect, it } from 'vitest'
import { rendererCsp } from '../../src/engine/hosts/page-csp'
import { devRendererLocation, fileRendererLocation } from '../../src/engine/hosts/renderer-location'
import { APP_PARTITION } from '../../src/main/window-options'
import { secureWebPreferences, windowOptions } from './window-recorder'

describe('Electron window options', () => {
  it('isolates and sandboxes the renderer, with no Node anywhere', () => {
    const prefs = secureWebPreferences()
    expect(prefs).toMatchObject({
      partition: APP_PARTITION,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    })
    expect(windowOptions().webPreferences).toEqual(secureWebPreferences())
    // The bridge is the session's preload (src/main/app-session.ts), never a window option.
    expect(prefs).not.toHaveProperty('preload')
  })

  it('the built renderer CSP allows only the scripts the page pins and no network', () => {
    const location = fileRendererLocation('/app/out/renderer/index.html')
    const csp = rendererCsp(location, ["'sha256-abc='"])
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'sha256-abc=';")
    expect(csp).not.toMatch(/script-src[^;]*(unsafe|'self')/)
    // An unreadable page pins nothing: then no script runs at all.
    expect(rendererCsp(location, null)).toContain("script-src 'none';")
    expect(csp).toContain("connect-src 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
  })

  it('the dev CSP relaxes only for the dev server origin', () => {
    const csp = rendererCsp(devRendererLocation('http://localhost:5173'))
    expect(csp).toContain("script-src 'self' 'unsafe-inline' http://localhost:5173")
    expect(csp).toContain('connect-src')
    expect(csp).toContain('ws://localhost:5173')
    expect(csp).not.toContain('*')
  })
})
