import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Frame, type Page } from "playwright-core";

/** Debian's Chromium; `.ci/run` installs it. Override with CHROMIUM_PATH. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless in containers: no sandbox (no user namespaces), no GPU, no background traffic to Google. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const SCREENSHOT_DIR = join("test-results", "screenshots");

/** `contrast` is Teams' high-contrast theme (the tab's `?theme=contrast`). */
export type Theme = "light" | "dark" | "contrast";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A browser context for the tab at `baseURL`: the colour scheme follows `theme` (the tab also honours
 * `?theme=`), downloads are accepted, and the https certificate of the local stack is trusted.
 */
export function newContext(
  browser: Browser,
  options: { baseURL: string; theme?: "light" | "dark"; viewport?: { width: number; height: number } },
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: options.baseURL,
    colorScheme: options.theme ?? "light",
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
    ignoreHTTPSErrors: true,
  });
}

/** `path` (e.g. "/index.html#/history") with `?theme=` added before the hash. */
export function themedUrl(path: string, theme: Theme): string {
  const [beforeHash = "", hash] = path.split("#", 2);
  const sep = beforeHash.includes("?") ? "&" : "?";
  return `${beforeHash}${sep}theme=${theme}${hash === undefined ? "" : `#${hash}`}`;
}

interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Fluent UI's focus management (tabster) puts `aria-hidden` focus sentinels around focus zones; they hand
 * focus on at once and are a known false positive of `aria-hidden-focus` (Accessibility Insights drops them
 * too). Only those nodes are ignored; any other node of that rule still fails.
 */
const isTabsterSentinel = (ruleId: string, html: string) =>
  ruleId === "aria-hidden-focus" && /data-tabster-dummy|data-is-focus-trap-zone-bumper/.test(html);

/** Runs axe-core (WCAG 2.x A/AA and best practices) and returns the serious and critical violations. */
async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !isTabsterSentinel(v.id, n.html)) }))
    .filter((v) => v.nodes.length > 0)
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
}

/**
 * Fails with a readable list when axe finds anything serious or critical on the screen. axe checks the page
 * and its frames; `screenFrame` is the frame that shows the screen when it is not the page itself.
 */
export async function expectAccessible(
  page: Page,
  screen: string,
  screenFrame: Page | Frame = page,
): Promise<void> {
  // Colours mid-transition (a dialog fading in, a toast fading out) would be judged at partial opacity: judge
  // the settled screen. A toast can start fading out between the wait and the scan, so a finding must still
  // be there on a second scan after everything has settled again to count.
  let found: AxeFinding[] = [];
  for (let scan = 0; scan < 2; scan++) {
    if (scan > 0) await new Promise((r) => setTimeout(r, 500));
    await screenFrame.waitForFunction(
      () =>
        document
          .getAnimations()
          .every(
            (a) => a.playState !== "running" || a.effect?.getTiming().iterations === Number.POSITIVE_INFINITY,
          ),
      undefined,
      { timeout: 5000 },
    );
    found = await seriousViolations(page);
    if (found.length === 0) return;
  }
  const lines = found.map((f) => `- [${f.impact}] ${f.id}: ${f.help}\n    ${f.targets.join("\n    ")}`);
  throw new Error(`Accessibility violations on "${screen}":\n${lines.join("\n")}`);
}

/** Saves a full-page screenshot as test-results/screenshots/<name>-<theme>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string, theme: Theme): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-");
  const path = join(SCREENSHOT_DIR, `${safe}-${theme}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}

/** Waits until the tab has rendered a screen: no spinner left and a heading present. */
export async function waitForScreen(page: Page | Frame, timeoutMs = 15_000): Promise<void> {
  await page.locator("main h1").first().waitFor({ state: "visible", timeout: timeoutMs });
  await page.waitForFunction(
    () => !document.querySelector('[role="progressbar"].fui-Spinner, .fui-Spinner'),
    undefined,
    {
      timeout: timeoutMs,
    },
  );
}

/** Both themes, for screens that must be screenshotted in each. */
export const THEMES: ("light" | "dark")[] = ["light", "dark"];

/** Every theme the tab has: light, dark and high contrast. */
export const ALL_THEMES: Theme[] = ["light", "dark", "contrast"];
