import { describe, expect, it } from 'vitest'
import { devRendererLocation, fileRendererLocation } from '../../src/main/renderer-location'
import { rendererCsp, secureWebPreferences, windowOptions } from '../../src/main/window-options'

describe('Electron window options', () => {
  it('isolates and sandboxes the renderer, with no Node anywhere', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
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
    expect(windowOptions('/p.cjs').webPreferences).toEqual(secureWebPreferences('/p.cjs'))
  })

  it('the built renderer CSP allows only its own scripts and no network', () => {
    const csp = rendererCsp(fileRendererLocation('/app/out/renderer/index.html'))
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe/)
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
