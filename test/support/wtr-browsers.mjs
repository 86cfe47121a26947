/**
 * The engines the browser suite runs in, all from the system's packages (no browser is downloaded):
 * Chromium and Firefox ESR through Puppeteer (Firefox over WebDriver BiDi), WebKitGTK's MiniBrowser
 * through WebKitWebDriver on a private Xvfb display that this module starts and stops.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { chromeLauncher } from '@web/test-runner-chrome';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import puppeteer from 'puppeteer-core';
import { remote } from 'webdriverio';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // A fake camera, microphones and screen, granted without a prompt: recording tests.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** A free loopback port (there is a small window before the driver takes it; fine on a test machine). */
async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `Xvfb -displayfd 3` and resolves with the process and its display (":N"). */
async function startXvfb() {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  xvfb.stderr.on('data', (chunk) => (stderr += chunk));
  const display = await new Promise((resolve, reject) => {
    let out = '';
    xvfb.stdio[3].on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${stderr.trim()}`)));
  });
  return { xvfb, display };
}

/** Waits until a WebDriver server answers /status. */
async function waitForDriver(url, driver, timeoutMs = 15_000) {
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

/**
 * One MiniBrowser (one WebDriver session) per test file, closed when the file is done: a file starts with
 * a fresh web process, so memory and state left by a heavy file (large uploads) never reach the next one.
 * Same interface as @web/test-runner-webdriver's SessionManager.
 */
class SessionPerFile {
  constructor(options) {
    this.options = options;
    /** test session id → { driver, url } */
    this.sessions = new Map();
  }
  isActive(id) {
    return this.sessions.has(id);
  }
  async getBrowserUrl(id) {
    return this.sessions.get(id)?.url;
  }
  async queueStartSession(id, url) {
    const driver = await remote(this.options);
    this.sessions.set(id, { driver, url });
    await driver.navigateTo(url);
  }
  async queueStopSession(id) {
    const entry = this.sessions.get(id);
    this.sessions.delete(id);
    await entry?.driver.deleteSession().catch(() => {});
    return { testCoverage: undefined };
  }
  #driver(id) {
    const entry = this.sessions.get(id);
    if (!entry) throw new Error(`no WebKit session for ${id}`);
    return entry.driver;
  }
  async performActions(id, actions) {
    return this.#driver(id).performActions(actions);
  }
  async sendKeys(id, keys) {
    return this.#driver(id).keys(keys);
  }
  async takeScreenshot() {
    throw new Error('Screenshots are not taken in WebKit here.');
  }
  async closeAll() {
    const drivers = [...this.sessions.values()].map((entry) => entry.driver);
    this.sessions.clear();
    await Promise.all(drivers.map((driver) => driver.deleteSession().catch(() => {})));
  }
}

/** WebKitGTK's MiniBrowser under WebKitWebDriver, which this launcher starts (with its display) and stops. */
class WebKitGtkLauncher extends WebdriverLauncher {
  constructor() {
    super({
      hostname: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      capabilities: {
        browserName: 'MiniBrowser',
        // WebKitWebDriver refuses the BiDi session webdriverio 9 asks for by default.
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      },
    });
  }

  async initialize(config) {
    const { xvfb, display } = await startXvfb();
    this.xvfb = xvfb;
    const port = await freePort();
    this.webDriver = spawn('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DISPLAY: display, GDK_BACKEND: 'x11' },
    });
    // The web process warns on every page that there is no D-Bus session here (it needs none): keep the rest.
    createInterface({ input: this.webDriver.stderr }).on('line', (line) => {
      if (line.trim() && !/D-Bus|dbus-launch/.test(line)) process.stderr.write(`WebKit: ${line}\n`);
    });
    await waitForDriver(`http://127.0.0.1:${port}`, this.webDriver);
    this.options.port = port;
    await super.initialize(config);
    this.name = 'WebKit';
  }

  /** Replaces the library's single long-lived session with one session per test file. */
  async createDriverManager() {
    this.driverManager = new SessionPerFile({ logLevel: 'error', ...this.options });
    return this.driverManager;
  }

  async stop() {
    await this.driverManager?.closeAll();
    await super.stop();
    for (const child of [this.webDriver, this.xvfb]) {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  }
}

const launchers = {
  chromium: () =>
    chromeLauncher({
      launchOptions: { executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    }),
  firefox: () =>
    chromeLauncher({
      puppeteer,
      launchOptions: {
        browser: 'firefox',
        executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
        headless: true,
        // Fake camera and microphone, no permission prompt: recording tests.
        extraPrefsFirefox: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true },
      },
    }),
  webkit: () => new WebKitGtkLauncher(),
};

/**
 * The launchers for `names` (comma- or space-separated engine names; all three when empty).
 * An unknown name is an error that lists the known ones.
 */
export function browsersFor(names) {
  const wanted = (names ?? '').split(/[\s,]+/).filter(Boolean);
  const unknown = wanted.filter((name) => !ENGINES.includes(name));
  if (unknown.length > 0) {
    throw new Error(`Unknown browser engine ${unknown.join(', ')}: use ${ENGINES.join(', ')} (comma-separated).`);
  }
  return (wanted.length > 0 ? wanted : ENGINES).map((name) => launchers[name]());
}
