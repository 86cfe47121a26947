/**
 * The three browser engines, from the system's packages (nothing downloads a browser), for everything that
 * drives a browser: the Web Test Runner launchers (wtr-browsers.mjs), the end-to-end test and the
 * screenshots script. Chromium and Firefox ESR through puppeteer-core (Firefox over WebDriver BiDi),
 * WebKitGTK's MiniBrowser through WebKitWebDriver (webdriverio, WebDriver classic) on a private Xvfb display
 * started here. `launchEngine()` gives the three one small page interface.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import puppeteer, { type Browser as PuppeteerBrowser, type Page as PuppeteerPage } from 'puppeteer-core';
import { remote } from 'webdriverio';

/** Runs a command to its end; rejects with its error output when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];
export type ColorScheme = 'light' | 'dark';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // A fake camera, microphones and screen, granted without a prompt: recording tests and screenshots.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
export const chromiumPath = (): string => process.env.CHROME_PATH ?? '/usr/bin/chromium';
export const firefoxPath = (): string => process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** The engine names in `names` (comma- or space-separated; all three when empty); an unknown one is an error. */
export function enginesFrom(names: string | undefined): EngineName[] {
  const wanted = (names ?? '').split(/[\s,]+/).filter(Boolean);
  const unknown = wanted.filter((name) => !ENGINES.includes(name as EngineName));
  if (unknown.length > 0) {
    throw new Error(`Unknown browser engine ${unknown.join(', ')}: use ${ENGINES.join(', ')} (comma-separated).`);
  }
  return wanted.length > 0 ? (wanted as EngineName[]) : [...ENGINES];
}

/** A free loopback port (there is a small window before the driver takes it; fine on a test machine). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

/** Starts `Xvfb -displayfd 3` and resolves with the process and its display (":N"). */
export async function startXvfb(): Promise<{ xvfb: ChildProcess; display: string }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  xvfb.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${stderr.trim()}`)));
  });
  return { xvfb, display };
}

/** Waits until a WebDriver server answers /status. */
async function waitForDriver(url: string, driver: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on ${url} within ${timeoutMs} ms`);
}

export interface WebKitDriver {
  port: number;
  stop(): Promise<void>;
}

/**
 * WebKitWebDriver on a free port with its own Xvfb display (MiniBrowser has no headless mode). A dark
 * `colorScheme` runs MiniBrowser with GTK's dark theme, which WebKitGTK turns into `prefers-color-scheme: dark`.
 */
export async function startWebKitDriver(options: { colorScheme?: ColorScheme } = {}): Promise<WebKitDriver> {
  const { xvfb, display } = await startXvfb();
  const port = await freePort();
  const driver = spawn('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      DISPLAY: display,
      GDK_BACKEND: 'x11',
      ...(options.colorScheme === 'dark' ? { GTK_THEME: 'Adwaita:dark' } : {}),
    },
  });
  // The web process warns on every page that there is no D-Bus session here (it needs none), and media pages
  // that there is no sound card (none is needed to decode): keep the rest.
  createInterface({ input: driver.stderr! }).on('line', (line) => {
    if (line.trim() && !/D-Bus|dbus-launch|ALSA lib|AL lib:/.test(line)) process.stderr.write(`WebKit: ${line}\n`);
  });
  try {
    await waitForDriver(`http://127.0.0.1:${port}`, driver);
  } catch (error) {
    await stopChild(driver);
    await stopChild(xvfb);
    throw error;
  }
  return {
    port,
    async stop() {
      await stopChild(driver);
      await stopChild(xvfb);
    },
  };
}

/** The WebDriver session options for MiniBrowser under WebKitWebDriver on `port`. */
export function webkitSessionOptions(port: number) {
  return {
    hostname: '127.0.0.1',
    port,
    logLevel: 'error' as const,
    capabilities: {
      browserName: 'MiniBrowser',
      // WebKitWebDriver refuses the BiDi session webdriverio 9 asks for by default.
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    },
  };
}

/** One tab, the same few operations in every engine. Scripts are expressions (a promise is awaited). */
export interface EnginePage {
  goto(url: string): Promise<void>;
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy. */
  waitFor(expression: string, timeoutMs?: number): Promise<void>;
  /** Picks `filePath` in the file input inside the shadow root of the first `host`, as a visitor would. */
  setInputFile(host: string, filePath: string): Promise<void>;
  /** Types `text` into the light-DOM field `selector`. */
  fill(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** A PNG of the first element matching `selector` (light DOM). */
  screenshot(path: string, selector?: string): Promise<void>;
  /** Uncaught errors seen in the page (Chromium and Firefox; WebDriver classic reports none). */
  readonly errors: string[];
  close(): Promise<void>;
}

export interface EngineBrowser {
  readonly name: EngineName;
  newPage(viewport?: { width: number; height: number }): Promise<EnginePage>;
  close(): Promise<void>;
}

const until = async (check: () => Promise<unknown>, timeoutMs: number, what: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const shadowInput = (host: string): string =>
  `document.querySelector(${JSON.stringify(host)}).shadowRoot.querySelector('input[type=file]')`;

class PuppeteerEnginePage implements EnginePage {
  readonly errors: string[] = [];
  constructor(
    readonly page: PuppeteerPage,
    readonly engine: EngineName,
  ) {
    page.on('pageerror', (error) => this.errors.push(error instanceof Error ? error.message : String(error)));
  }
  async goto(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'load' });
  }
  evaluate<T>(expression: string): Promise<T> {
    return this.page.evaluate(`(async () => (${expression}))()`) as Promise<T>;
  }
  waitFor(expression: string, timeoutMs = 30_000): Promise<void> {
    return until(() => this.evaluate(expression), timeoutMs, expression);
  }
  async setInputFile(host: string, filePath: string): Promise<void> {
    const handle = await this.page.evaluateHandle(shadowInput(host));
    const input = handle.asElement() as import('puppeteer-core').ElementHandle<HTMLInputElement> | null;
    if (!input) throw new Error(`no file input inside ${host}`);
    await input.uploadFile(filePath);
  }
  async fill(selector: string, text: string): Promise<void> {
    await this.page.type(selector, text);
  }
  async click(selector: string): Promise<void> {
    await this.page.click(selector);
  }
  async screenshot(path: string, selector = 'body'): Promise<void> {
    const element = await this.page.$(selector);
    if (!element) throw new Error(`nothing matches ${selector}`);
    await element.screenshot({ path: path as `${string}.png` });
  }
  async close(): Promise<void> {
    await this.page.close();
  }
}

class PuppeteerEngine implements EngineBrowser {
  constructor(
    readonly name: EngineName,
    readonly browser: PuppeteerBrowser,
    readonly colorScheme: ColorScheme,
  ) {}
  async newPage(viewport = { width: 900, height: 900 }): Promise<EnginePage> {
    const page = await this.browser.newPage();
    await page.setViewport({ ...viewport, deviceScaleFactor: 1 });
    if (this.name === 'chromium') {
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: this.colorScheme }]);
    }
    return new PuppeteerEnginePage(page, this.name);
  }
  async close(): Promise<void> {
    await this.browser.close();
  }
}

type WdioBrowser = Awaited<ReturnType<typeof remote>>;

/** MiniBrowser has one window per session: a page is a session of its own. */
class WebDriverEnginePage implements EnginePage {
  readonly errors: string[] = [];
  constructor(readonly driver: WdioBrowser) {}
  async goto(url: string): Promise<void> {
    await this.driver.navigateTo(url);
  }
  evaluate<T>(expression: string): Promise<T> {
    return this.driver.execute(`return (async () => (${expression}))();`) as Promise<T>;
  }
  waitFor(expression: string, timeoutMs = 30_000): Promise<void> {
    return until(() => this.evaluate(expression), timeoutMs, expression);
  }
  async setInputFile(host: string, filePath: string): Promise<void> {
    const element = (await this.driver.execute(`return ${shadowInput(host)};`)) as unknown as Record<string, string>;
    const id = element && Object.values(element)[0];
    if (!id) throw new Error(`no file input inside ${host}`);
    await this.driver.elementSendKeys(id, filePath);
  }
  async fill(selector: string, text: string): Promise<void> {
    await this.driver.$(selector).setValue(text);
  }
  async click(selector: string): Promise<void> {
    await this.driver.$(selector).click();
  }
  /**
   * WebKitWebDriver's element screenshot crops at the wrong place (a black band where the element should
   * be), while its viewport screenshot is right: the viewport is taken and cut to the element with ffmpeg.
   */
  async screenshot(path: string, selector = 'body'): Promise<void> {
    const rect = (await this.evaluate(
      `(() => { const el = document.querySelector(${JSON.stringify(selector)}); el.scrollIntoView({ block: 'nearest' });
        const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight]; })()`,
    )) as number[];
    const [left, top, right, bottom, width, height] = rect;
    const x = Math.max(0, Math.floor(left));
    const y = Math.max(0, Math.floor(top));
    const w = Math.min(width, Math.ceil(right)) - x;
    const h = Math.min(height, Math.ceil(bottom)) - y;
    const viewport = `${path}.viewport.png`;
    await this.driver.saveScreenshot(viewport);
    try {
      await run('ffmpeg', ['-y', '-v', 'error', '-i', viewport, '-vf', `crop=${w}:${h}:${x}:${y}`, path]);
    } finally {
      rmSync(viewport, { force: true });
    }
  }
  async close(): Promise<void> {
    await this.driver.deleteSession().catch(() => {});
  }
}

class WebKitEngine implements EngineBrowser {
  readonly name = 'webkit' as const;
  readonly #pages = new Set<WebDriverEnginePage>();
  constructor(
    readonly driver: WebKitDriver,
    readonly acceptInsecureCerts = false,
  ) {}
  async newPage(viewport = { width: 900, height: 900 }): Promise<EnginePage> {
    const options = webkitSessionOptions(this.driver.port);
    const session = await remote(
      this.acceptInsecureCerts
        ? { ...options, capabilities: { ...options.capabilities, acceptInsecureCerts: true } }
        : options,
    );
    await session.setWindowSize(viewport.width, viewport.height).catch(() => {});
    const page = new WebDriverEnginePage(session);
    this.#pages.add(page);
    const close = page.close.bind(page);
    page.close = async () => {
      this.#pages.delete(page);
      await close();
    };
    return page;
  }
  async close(): Promise<void> {
    await Promise.all([...this.#pages].map((page) => page.close()));
    await this.driver.stop();
  }
}

/** Starts `name` (its color scheme fixed at launch: Firefox and WebKit take it from preferences, not per page). */
export async function launchEngine(
  name: EngineName,
  options: { colorScheme?: ColorScheme; acceptInsecureCerts?: boolean } = {},
): Promise<EngineBrowser> {
  const colorScheme = options.colorScheme ?? 'light';
  // A test's throwaway self-signed certificate (a TLS front on loopback) is accepted only when asked for.
  const acceptInsecureCerts = options.acceptInsecureCerts ?? false;
  if (name === 'webkit') return new WebKitEngine(await startWebKitDriver({ colorScheme }), acceptInsecureCerts);
  if (name === 'firefox') {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath(),
      headless: true,
      acceptInsecureCerts,
      // 0 dark, 1 light: what `prefers-color-scheme` says to pages.
      // A fake camera and microphone, granted without a prompt, as Chromium's flags give (recording tests).
      extraPrefsFirefox: {
        'layout.css.prefers-color-scheme.content-override': colorScheme === 'dark' ? 0 : 1,
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
      },
    });
    return new PuppeteerEngine(name, browser, colorScheme);
  }
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
    acceptInsecureCerts,
  });
  return new PuppeteerEngine(name, browser, colorScheme);
}
