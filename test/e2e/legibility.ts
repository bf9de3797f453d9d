import type { Locator } from '@playwright/test'

/**
 * The least font size (px) of words a person reads to act on: a button's, a cue's count. It is the app's text
 * size (theme.css --fs); the 11 px small size is for words beside them (notes, units, tooltips' lines).
 */
export const CONTROL_TEXT_PX = 12

/** WCAG contrast of an element's text against the first opaque background at or above it. */
export async function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const rgba = (css: string): number[] => (css.match(/[\d.]+/g) ?? []).map(Number)
    const lum = ([r = 0, g = 0, b = 0]: number[]): number => {
      const lin = (c: number): number => {
        const s = c / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      }
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }
    let bg: number[] = [255, 255, 255]
    for (let at: Element | null = el; at; at = at.parentElement) {
      const c = rgba(getComputedStyle(at).backgroundColor)
      if (c.length === 3 || (c[3] ?? 0) > 0.9) {
        bg = c
        break
      }
    }
    const a = lum(rgba(getComputedStyle(el).color))
    const b = lum(bg)
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
  })
}

/**
 * Pixels to spare between an input's placeholder, measured in the input's font, and the room inside its padding:
 * negative when the placeholder is cut; -1 when the page cannot measure text.
 */
export async function placeholderRoom(input: Locator): Promise<number> {
  return input.evaluate((el) => {
    const field = el as HTMLInputElement
    const style = getComputedStyle(field)
    const ctx = document.createElement('canvas').getContext('2d')
    if (!ctx) return -1
    ctx.font = style.font
    const inner = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
    return inner - ctx.measureText(field.placeholder).width
  })
}
