import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import type { TaskDoc } from "../../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP } from "../../../sim/index.ts";
import { type FullStack, startFullStack } from "../../support/full-stack.ts";
import { launchBrowser, newContext } from "./browser.ts";
import { freePort } from "./ports.ts";

const TAB_INDEX = "tab/dist/index.html";
export const UI_TIMEOUT = 15_000;

/** The whole local stack, a Chromium and a page signed in standalone as the demo tenant's Global Administrator. */
export interface AdminSession {
  stack: FullStack;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Calls the API as an admin would from a script (Teams SSO-shaped token); fails on an unexpected status. */
  call<T>(method: string, path: string, json?: unknown, expected?: number): Promise<T>;
  /** An app-credential connection made through the API, as a script would make it. */
  createConnection(name: string, settings?: unknown): Promise<{ id: string; status: string }>;
  /** Starts a task of `connectionId` and waits for it to end. */
  runTask(connectionId: string, type?: string): Promise<TaskDoc>;
  close(): Promise<void>;
}

export async function startAdminSession(
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
  env: Record<string, string> = {},
): Promise<AdminSession> {
  if (!existsSync(TAB_INDEX))
    throw new Error(
      `${TAB_INDEX} is missing: build the tab first with \`npm run build:tab\` (\`npm test\` does it).`,
    );
  const port = await freePort();
  const stack = await startFullStack({
    env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, ...env },
  });
  const browser = await launchBrowser();
  const context = await newContext(browser, { baseURL: stack.url, viewport });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: "Sign in as MOD Administrator" }).first().click();
  await page.getByRole("heading", { name: "Home" }).waitFor();

  async function call<T>(method: string, path: string, json?: unknown, expected?: number): Promise<T> {
    const res = await stack.api(path, {
      token: await stack.adminToken(),
      method,
      ...(json === undefined ? {} : { json }),
    });
    if (expected !== undefined) expect(res.status, `${method} ${path}: ${res.text}`).toBe(expected);
    else expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.body as T;
  }

  return {
    stack,
    browser,
    context,
    page,
    call,
    createConnection: (name, settings) =>
      call("POST", "/api/connections", {
        name,
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
        ...(settings ? { settings } : {}),
      }),
    async runTask(connectionId, type = "full") {
      const task = await call<{ id: string }>("POST", `/api/connections/${connectionId}/tasks`, { type });
      return stack.waitForTask(task.id);
    },
    async close() {
      await context.close();
      await browser.close();
      await stack.close();
    },
  };
}

/** Types as a person does: a key every `delay` ms, never faster than the screen can answer. */
export async function typeSlowly(page: Page, text: string, delay = 120): Promise<void> {
  await page.keyboard.type(text, { delay });
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What has the keyboard focus: its accessible-ish description, `BODY` when nothing does. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "BODY";
    const label =
      el.getAttribute("aria-label") ??
      (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null);
    return `${el.tagName}${label ? ` ${label}` : ""}`;
  });
}
