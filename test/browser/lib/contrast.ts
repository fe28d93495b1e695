// WCAG contrast of an element's text against the background it is drawn on, computed in
// the page: a fixed colour in our dialogs would pass in the light theme and fail in the dark.
import type { Page } from 'playwright-core';

export interface Contrast {
  ratio: number;
  color: string;
  background: string;
}

// Runs in the browser (the page's own getComputedStyle); walks up to the first opaque background.
const MEASURE = `(selector, text) => {
  const el = [...document.querySelectorAll(selector)].find((e) => text === null || e.textContent.trim() === text);
  if (!el) return null;
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const color = getComputedStyle(el).color;
  let background = 'rgb(255, 255, 255)';
  for (let n = el; n; n = n.parentElement) {
    const b = getComputedStyle(n).backgroundColor;
    const v = parse(b);
    if (v.length === 3 || (v.length === 4 && v[3] > 0.9)) { background = b; break; }
  }
  const a = lum(parse(color)), b = lum(parse(background));
  return { ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), color, background };
}`;

/** The first element matching `selector` (and whose text is `text`, if given). */
export async function contrast(page: Page, selector: string, text: string | null = null): Promise<Contrast> {
  const result = await page.evaluate<Contrast | null>(`(${MEASURE})(${JSON.stringify(selector)}, ${JSON.stringify(text)})`);
  if (!result) throw new Error(`no element for ${selector}${text ? ` with text "${text}"` : ''}`);
  return result;
}

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
export function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).map(Number);
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
