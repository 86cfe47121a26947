/**
 * The engines the browser suite runs in, all from the system's packages (no browser is downloaded):
 * Chromium and Firefox ESR through Puppeteer (Firefox over WebDriver BiDi), WebKitGTK's MiniBrowser
 * through WebKitWebDriver on a private Xvfb display that this module starts and stops.
 */
import { chromeLauncher } from '@web/test-runner-chrome';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import puppeteer from 'puppeteer-core';
import { tsImport } from 'tsx/esm/api';
import { remote } from 'webdriverio';

/** The launch pieces shared with the end-to-end test and the screenshots script. */
const { CHROMIUM_ARGS, chromiumPath, enginesFrom, firefoxPath, startWebKitDriver, webkitSessionOptions } =
  await tsImport('./engines.ts', import.meta.url);

/**
 * One MiniBrowser (one WebDriver session) per test file, closed when the file is done: a file starts with
 * a fresh web process, so memory and state left by a heavy file (large uploads) never reach the next one.
 * Same interface as @web/test-runner-webdriver's SessionManager.
 */
/** A MiniBrowser that has not started within this time is given up, and the driver started again. */
const WEBKIT_START_MS = 50_000;

class SessionPerFile {
  /** `restartDriver` stops WebKitWebDriver, starts a new one and resolves with its port. */
  constructor(options, restartDriver) {
    this.options = options;
    this.restartDriver = restartDriver;
    /** test session id → { driver, url } */
    this.sessions = new Map();
    /** test session id → the WebDriver session being created */
    this.starting = new Map();
  }
  /** A session still being created counts: the runner stops it after a start timeout, and it must go. */
  isActive(id) {
    return this.sessions.has(id) || this.starting.has(id);
  }
  async getBrowserUrl(id) {
    return this.sessions.get(id)?.url;
  }
  async queueStartSession(id, url) {
    const starting = this.#startOrRestart();
    this.starting.set(id, starting);
    let driver;
    try {
      driver = await starting;
    } finally {
      this.starting.delete(id);
    }
    this.sessions.set(id, { driver, url });
    await driver.navigateTo(url);
  }
  /**
   * Ends the file's session. One whose creation outlasted the runner's start timeout is ended once it
   * exists: WebKitWebDriver holds one session at a time, and a forgotten one refuses every later file.
   */
  async queueStopSession(id) {
    await this.starting.get(id)?.catch(() => {});
    const entry = this.sessions.get(id);
    this.sessions.delete(id);
    await entry?.driver.deleteSession().catch(() => {});
    return { testCoverage: undefined };
  }
  /**
   * WebKitWebDriver has been seen, rarely, never answering a new session: the runner's start timeout then
   * fails the file. A start that takes longer than WEBKIT_START_MS is given up once, with a fresh driver.
   */
  async #startOrRestart() {
    const first = remote(this.options);
    let timer;
    const slow = new Promise((resolve) => (timer = setTimeout(() => resolve(null), WEBKIT_START_MS)));
    const driver = await Promise.race([first, slow]).finally(() => clearTimeout(timer));
    if (driver) return driver;
    first.then(
      (late) => late.deleteSession().catch(() => {}),
      () => {},
    );
    process.stderr.write(`WebKit: no session after ${WEBKIT_START_MS / 1000} s; starting WebKitWebDriver again\n`);
    this.options.port = await this.restartDriver();
    return await remote(this.options);
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
    super(webkitSessionOptions(0));
  }

  async initialize(config) {
    this.webKitDriver = await startWebKitDriver();
    this.options.port = this.webKitDriver.port;
    await super.initialize(config);
    this.name = 'WebKit';
  }

  /** Replaces the library's single long-lived session with one session per test file. */
  async createDriverManager() {
    this.driverManager = new SessionPerFile({ logLevel: 'error', ...this.options }, async () => {
      await this.webKitDriver?.stop();
      this.webKitDriver = await startWebKitDriver();
      return this.webKitDriver.port;
    });
    return this.driverManager;
  }

  async stop() {
    await this.driverManager?.closeAll();
    await super.stop();
    await this.webKitDriver?.stop();
  }
}

const launchers = {
  chromium: () =>
    chromeLauncher({
      launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    }),
  firefox: () =>
    chromeLauncher({
      puppeteer,
      launchOptions: {
        browser: 'firefox',
        executablePath: firefoxPath(),
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
  return enginesFrom(names).map((name) => launchers[name]());
}
