// Drives Pluggy Connect against the pluggy-rs emulator in headless Chromium, three ways in:
// the official pluggy-connect-sdk (its `url` prop at {emulator}/connect), the emulator's
// drop-in script ({emulator}/connect/pluggy-connect.js) and the standalone page
// ({emulator}/connect?connectToken=…). Each runs the basic flow, the 2-step MFA, a wrong
// password and update mode, and asserts the callbacks in order, the webhooks and the item.
//
// Environment: PLUGGY_API_URL, PLUGGY_CLIENT_ID, PLUGGY_CLIENT_SECRET (the emulator's),
// CHROMIUM (default /usr/bin/chromium), SCREENSHOT_DIR (default ../../target/browser-screenshots),
// BACKEND_URL (optional: a running pluggy-backend-example talking to the same emulator;
// its page is then driven end to end too), BROWSER_ONLY (optional, comma-separated `way` or `way/case` names).
// Exit 0: all passed; 1: a case failed; 2: the environment is incomplete.
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const API = process.env.PLUGGY_API_URL;
const CLIENT_ID = process.env.PLUGGY_CLIENT_ID;
const CLIENT_SECRET = process.env.PLUGGY_CLIENT_SECRET;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(
  process.env.SCREENSHOT_DIR || path.join(__dirname, '..', '..', 'target', 'browser-screenshots'),
);
const BACKEND = process.env.BACKEND_URL;
const ONLY = (process.env.BROWSER_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean);

/** Longest wait for one screen, callback or webhook. */
const STEP_MS = 15000;
/** Longest run of one case. */
const CASE_MS = 40000;
/** Longest run of everything: then Chromium is killed and the run fails (before the
 * runner's own limit, so that no browser outlives it). */
const TOTAL_MS = 140000;

if (!API || !CLIENT_ID || !CLIENT_SECRET) {
  console.error('set PLUGGY_API_URL, PLUGGY_CLIENT_ID and PLUGGY_CLIENT_SECRET');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM}; install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM`);
  process.exit(2);
}

class Failure extends Error {}
function check(condition, message) {
  if (!condition) throw new Failure(message);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what, probe, ms = STEP_MS) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Failure(`timed out after ${ms / 1000}s waiting for ${what}`);
    await sleep(100);
  }
}

// ---- the API, with the client's credentials -------------------------------------------
let apiKey;
async function api(method, route, body) {
  const headers = { 'content-type': 'application/json' };
  if (apiKey) headers['x-api-key'] = apiKey;
  const res = await fetch(API + route, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Failure(`${method} ${route}: ${res.status} ${text}`);
  return data;
}
async function connectToken(clientUserId, webhookUrl, itemId) {
  const body = { options: { clientUserId, webhookUrl } };
  if (itemId) body.itemId = itemId;
  return (await api('POST', '/connect_token', body)).accessToken;
}

// ---- the webhook receiver: POST /hook/<case> ------------------------------------------
const hooks = new Map();
function hooksOf(key) {
  if (!hooks.has(key)) hooks.set(key, []);
  return hooks.get(key);
}
function receiver() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const key = decodeURIComponent(req.url.replace(/^\/hook\//, ''));
      try {
        hooksOf(key).push(JSON.parse(body));
      } catch (e) {
        hooksOf(key).push({ unparsable: body });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return listen(server);
}

// ---- the static server: the test pages and the pinned packages -------------------------
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
const SERVED = ['pluggy-connect-sdk', 'zoid', 'jwt-decode'];
const ZOID_SHIM = 'const z = window.zoid;\nexport const create = z.create;\nexport const destroy = z.destroy;\nexport const EVENT = z.EVENT;\nexport default z;\n';
function staticServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/shim/zoid.js') return send(200, 'text/javascript', ZOID_SHIM);
    let file;
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'pages' && parts.length === 2) {
      file = path.join(__dirname, 'pages', parts[1]);
    } else if (parts[0] === 'node_modules' && SERVED.includes(parts[1]) && !parts.includes('..')) {
      file = path.join(__dirname, ...parts);
    } else {
      return send(404, 'text/plain', 'not found');
    }
    // The SDK's ES modules import `./dir/file` and `./dir` without extensions (as bundlers
    // allow); redirect to the real file so that its own relative imports resolve from there.
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      for (const tail of ['.js', '/index.js']) {
        if (fs.existsSync(file + tail) && fs.statSync(file + tail).isFile()) {
          res.writeHead(302, { location: url.pathname + tail });
          return res.end();
        }
      }
      return send(404, 'text/plain', 'not found');
    }
    send(200, TYPES[path.extname(file)] || 'application/octet-stream', fs.readFileSync(file));
  });
  return listen(server);
}
function listen(server) {
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

// ---- driving the widget ------------------------------------------------------------------
/** The frame showing the widget (the page itself, or the iframe the SDK rendered). */
const WIDGET_IN_A_CHILD_FRAME = new WeakSet();
async function widgetFrame(page) {
  for (const frame of page.frames()) {
    if (WIDGET_IN_A_CHILD_FRAME.has(page) && frame === page.mainFrame()) continue;
    try {
      if (await frame.$('[data-state]')) return frame;
    } catch (e) {
      // a detached frame; the next poll looks again
    }
  }
  return null;
}
async function stateOf(page) {
  const frame = await widgetFrame(page);
  if (!frame) return null;
  try {
    const state = await frame.$eval('[data-state]', (el) => el.getAttribute('data-state'));
    return { frame, state };
  } catch (e) {
    return null;
  }
}

/** The callbacks so far: the test page's record, or the standalone page's own. */
async function callbacks(page, way) {
  if (way === 'standalone') {
    return page.evaluate(() => JSON.parse(JSON.stringify(window.pluggyEmulatorCallbacks || [])));
  }
  return page.evaluate(() => window.__calls);
}

async function fill(frame, name, value) {
  const selector = `input[name="${name}"]`;
  await frame.waitForSelector(selector, { visible: true, timeout: STEP_MS });
  await frame.$eval(selector, (el) => {
    el.value = '';
  });
  await frame.type(selector, value);
}
async function submit(frame) {
  await frame.waitForSelector('button[type=submit]', { visible: true, timeout: STEP_MS });
  await frame.click('button[type=submit]');
}

/**
 * Walks the widget until it lands on `success` or `error`, answering each screen:
 * terms, the connector list, the credentials form, the MFA prompt. Screenshots each screen.
 */
async function drive(page, shotName, plan) {
  const seen = [];
  const end = Date.now() + CASE_MS;
  let last = null;
  let mfaAnswered = 0;
  let credentialsAnswered = 0;
  for (;;) {
    check(Date.now() < end, `the flow did not finish within ${CASE_MS / 1000}s (screens: ${seen.join(' → ')})`);
    const now = await until(`the widget's screen after ${last || 'load'}`, async () => {
      const s = await stateOf(page);
      return s && s.state !== last ? s : null;
    });
    last = now.state;
    seen.push(last);
    await sleep(50);
    await page.screenshot({ path: path.join(SHOTS, `${shotName}-${String(seen.length).padStart(2, '0')}-${last}.png`) });
    const frame = now.frame;
    switch (last) {
      case 'terms':
        await submit(frame);
        break;
      case 'connectors': {
        const selector = `[data-connector-id="${plan.connectorId}"]`;
        await frame.waitForSelector(selector, { visible: true, timeout: STEP_MS });
        await frame.click(selector);
        break;
      }
      case 'credentials':
        check(credentialsAnswered++ === 0, 'the credentials form came back');
        for (const [name, value] of Object.entries(plan.credentials)) await fill(frame, name, value);
        await submit(frame);
        break;
      case 'mfa':
        check(plan.mfa && mfaAnswered < plan.mfa.length, 'an MFA prompt nobody expected');
        for (const [name, value] of Object.entries(plan.mfa[mfaAnswered++])) await fill(frame, name, value);
        await submit(frame);
        break;
      case 'loading':
      case 'syncing':
        break;
      case 'success':
      case 'error':
        return seen;
      default:
        throw new Failure(`unknown screen data-state="${last}"`);
    }
  }
}

// ---- the cases -------------------------------------------------------------------------
const PLUGGY_BANK = { user: 'user-ok', password: 'password-ok' };
const CASES = {
  basic: { connectorId: 0, credentials: PLUGGY_BANK, outcome: 'success' },
  mfa: { connectorId: 3, credentials: PLUGGY_BANK, mfa: [{ token: '123456' }], outcome: 'success' },
  'wrong-password': { connectorId: 0, credentials: { user: 'user-ok', password: 'password-wrong' }, outcome: 'error' },
  update: { connectorId: 0, credentials: PLUGGY_BANK, update: true, outcome: 'success' },
};
const EVENTS = new Set([
  'SUBMITTED_CONSENT', 'SUBMITTED_LOGIN', 'SUBMITTED_MFA', 'SELECTED_INSTITUTION',
  'LOGIN_SUCCESS', 'LOGIN_MFA_SUCCESS', 'LOGIN_STEP_COMPLETED', 'ITEM_RESPONSE',
]);

/**
 * An item created through the API, with its webhooks going to the case's receiver (an
 * update's webhooks go to the item's webhookUrl); the setup's own webhooks are dropped.
 */
async function existingItem(clientUserId, key, webhookUrl) {
  const item = await api('POST', '/items', { connectorId: 0, parameters: PLUGGY_BANK, clientUserId, webhookUrl });
  await until('the item to be updated before the update case', async () => {
    const got = await api('GET', `/items/${item.id}`);
    check(!['LOGIN_ERROR', 'OUTDATED'].includes(got.status), `the item ended ${got.status}`);
    return got.status === 'UPDATED';
  });
  await until('the setup item/created webhook', async () => hooksOf(key).some((h) => h.event === 'item/created'));
  hooks.set(key, []);
  return item.id;
}

/** The item/* webhooks a case must receive, in this order (others may come between). */
function expectedHooks(plan) {
  if (plan.outcome === 'error') return ['item/error'];
  if (plan.update) return ['item/login_succeeded', 'item/updated'];
  return [...(plan.mfa ? ['item/waiting_user_input'] : []), 'item/login_succeeded', 'item/created'];
}
/** Whether `wanted` occurs in `events` in order. */
function inOrder(events, wanted) {
  let at = 0;
  for (const e of events) if (e === wanted[at]) at += 1;
  return at === wanted.length;
}

async function runCase(ctx, way, name) {
  const plan = CASES[name];
  const key = `${way}-${name}`;
  const clientUserId = `browser-${key}-${process.pid}`;
  const webhookUrl = `${ctx.hooks}/hook/${encodeURIComponent(key)}`;
  const updateItem = plan.update ? await existingItem(clientUserId, key, webhookUrl) : null;
  const token = await connectToken(clientUserId, webhookUrl, updateItem);
  const q = new URLSearchParams({ connectToken: token, emulator: API });
  if (updateItem) q.set('updateItem', updateItem);
  const url = way === 'standalone'
    ? `${API}/connect?${new URLSearchParams({ connectToken: token, includeSandbox: 'true', ...(updateItem ? { updateItem } : {}) })}`
    : `${ctx.pages}/pages/${way === 'sdk' ? 'sdk' : 'dropin'}.html?${q}`;

  const browserContext = await ctx.browser.createBrowserContext();
  const page = await browserContext.newPage();
  if (way === 'backend') {
    WIDGET_IN_A_CHILD_FRAME.add(page);
    await page.evaluateOnNewDocument(RECORD_THROUGH_THE_DROP_IN);
  }
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith('data:')) problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`);
  });
  // Nothing but 127.0.0.1.
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('http://127.0.0.1:') || u.startsWith('data:') || u.startsWith('blob:') || u === 'about:blank') r.continue();
    else {
      problems.push(`blocked a request outside 127.0.0.1: ${u}`);
      r.abort();
    }
  });
  try {
    await page.setViewport({ width: 900, height: 800 });
    await page.goto(way === 'backend' ? `${BACKEND}/` : url, { waitUntil: 'load', timeout: STEP_MS });
    if (way === 'backend') {
      await page.waitForSelector('#connect:not([disabled])', { timeout: STEP_MS });
      await page.$eval('#user', (el, u) => { el.value = u; }, clientUserId);
      await page.screenshot({ path: path.join(SHOTS, `${key}-00-page.png`) });
      await page.click('#connect');
    }
    let seen;
    try {
      seen = await drive(page, key, plan);
    } catch (e) {
      const calls = await callbacks(page, way).catch(() => []);
      throw new Failure(`${e.message}${problems.length ? `\n    ${problems.join('\n    ')}` : ''}${calls.length ? `\n    callbacks: ${JSON.stringify(calls).slice(0, 600)}` : ''}`);
    }
    check(seen[seen.length - 1] === plan.outcome, `ended on "${seen[seen.length - 1]}", expected "${plan.outcome}" (screens: ${seen.join(' → ')})`);
    if (plan.mfa) check(seen.includes('mfa'), `no MFA screen (screens: ${seen.join(' → ')})`);
    if (plan.update) check(!seen.includes('connectors'), 'update mode showed the connector list');
    if (way !== 'standalone') {
      const shown = await stateOf(page);
      check(shown.frame !== page.mainFrame() && shown.frame.url().startsWith(`${API}/connect`),
        `the widget is not the emulator's /connect in a frame (${shown.frame.url()})`);
      if (way === 'sdk') {
        const xprops = await shown.frame.evaluate(() => window.xprops && {
          connectToken: window.xprops.connectToken,
          onSuccessProp: typeof window.xprops.onSuccessProp,
        });
        check(xprops && xprops.connectToken === token && xprops.onSuccessProp === 'function',
          `the widget is not the SDK's zoid child (xprops ${JSON.stringify(xprops)})`);
      }
    }

    // The end screen's close button ends the flow with onClose.
    const last = await stateOf(page);
    await last.frame.click('[data-action="close"]');
    await until('onClose', async () => (await callbacks(page, way)).some((c) => c.name === 'onClose'));
    if (way === 'standalone') {
      const closed = await until('the closed screen', async () => {
        const s = await stateOf(page);
        return s && s.state === 'closed';
      });
      check(closed, 'no closed screen');
    } else {
      check(!(await page.$('iframe')) || way === 'sdk', 'the drop-in left its iframe after onClose');
    }
    await page.screenshot({ path: path.join(SHOTS, `${key}-${String(seen.length + 1).padStart(2, '0')}-closed.png`) });

    // Callbacks, in order, with their payloads.
    let itemId = updateItem;
    {
      const calls = await callbacks(page, way);
      const names = calls.map((c) => c.name);
      check(!names.includes('initFailed'), `init() failed: ${JSON.stringify(calls.find((c) => c.name === 'initFailed'))}`);
      check(names[0] === 'onOpen', `the first callback is ${names[0]}, not onOpen (${names.join(', ')})`);
      check(names.filter((n) => n === 'onOpen').length === 1, `onOpen called more than once (${names.join(', ')})`);
      const ends = calls.filter((c) => c.name === 'onSuccess' || c.name === 'onError');
      check(ends.length === 1, `expected one onSuccess/onError, got ${ends.map((c) => c.name).join(', ')}`);
      const events = calls.filter((c) => c.name === 'onEvent').map((c) => c.payload);
      for (const e of events) {
        check(e && EVENTS.has(e.event), `onEvent with an undeclared event: ${JSON.stringify(e)}`);
        check(typeof e.timestamp === 'number' || typeof e.timestamp === 'string', `onEvent ${e.event} without a timestamp`);
      }
      const order = events.map((e) => e.event);
      const before = (a, b) => order.indexOf(a) !== -1 && order.indexOf(b) !== -1 && order.indexOf(a) < order.indexOf(b);
      if (!plan.update) {
        const selected = events.find((e) => e.event === 'SELECTED_INSTITUTION');
        check(selected && selected.connector && selected.connector.id === plan.connectorId,
          `no SELECTED_INSTITUTION for connector ${plan.connectorId} (events: ${order.join(', ')})`);
      }
      check(order.includes('SUBMITTED_LOGIN'), `no SUBMITTED_LOGIN event (events: ${order.join(', ')})`);
      if (!plan.update) check(before('SELECTED_INSTITUTION', 'SUBMITTED_LOGIN'), `SELECTED_INSTITUTION after SUBMITTED_LOGIN (${order.join(', ')})`);
      if (plan.mfa) check(before('SUBMITTED_LOGIN', 'SUBMITTED_MFA'), `no SUBMITTED_MFA after SUBMITTED_LOGIN (${order.join(', ')})`);
      const response = events.filter((e) => e.event === 'ITEM_RESPONSE').pop();
      check(response && response.item && response.item.id, `no ITEM_RESPONSE with the item (events: ${order.join(', ')})`);
      const endIndex = calls.indexOf(ends[0]);
      check(names[names.length - 1] === 'onClose' && names.indexOf('onClose') === names.length - 1,
        `onClose is not the last callback, once (${names.join(', ')})`);
      check(endIndex === names.length - 2, `callbacks between ${ends[0].name} and onClose (${names.join(', ')})`);
      check(calls.indexOf(calls.filter((c) => c.name === 'onEvent').pop()) < endIndex, 'an onEvent came after onSuccess/onError');
      const end = ends[0];
      if (plan.outcome === 'success') {
        check(end.name === 'onSuccess', `got onError: ${JSON.stringify(end.payload)}`);
        const item = end.payload && end.payload.item;
        check(item && item.id && item.connector && item.connector.id === plan.connectorId, `onSuccess({item}) without the connector-${plan.connectorId} item: ${JSON.stringify(end.payload).slice(0, 300)}`);
        check(item.status === 'UPDATED', `onSuccess item status ${item.status}`);
        check(item.clientUserId === clientUserId, `onSuccess item clientUserId ${item.clientUserId}`);
        if (plan.update) check(item.id === updateItem, `update mode gave item ${item.id}, not ${updateItem}`);
        itemId = item.id;
      } else {
        check(end.name === 'onError', `got onSuccess: ${JSON.stringify(end.payload).slice(0, 300)}`);
        check(typeof end.payload.message === 'string' && end.payload.message, 'onError without a message');
        const item = end.payload.data && end.payload.data.item;
        check(item && item.status === 'LOGIN_ERROR', `onError data.item status ${item && item.status}`);
        itemId = item.id;
      }
      check(response.item.id === itemId, 'ITEM_RESPONSE names another item');
    }

    if (way === 'backend') return await backendAfterwards(page, key, plan, clientUserId, itemId, seen, problems);

    // Webhooks, then the item as the API has it.
    const wanted = expectedHooks(plan);
    const got = await until(`webhooks ${wanted.join(', ')}`, async () => {
      const h = hooksOf(key);
      return wanted.every((w) => h.some((x) => x.event === w)) ? h : null;
    });
    const arrived = got.map((h) => h.event);
    check(inOrder(arrived, wanted), `webhooks ${arrived.join(', ')}: not ${wanted.join(' then ')}`);
    if (!itemId) itemId = got.find((x) => x.event === wanted[wanted.length - 1]).itemId;
    for (const h of got) {
      check(h.itemId === itemId, `webhook ${h.event} for item ${h.itemId}, not ${itemId}`);
      check(h.eventId, `webhook ${h.event} without eventId`);
      if (h.event.startsWith('item/')) check(h.clientUserId === clientUserId, `webhook ${h.event} clientUserId ${h.clientUserId}, not ${clientUserId}`);
    }
    if (plan.outcome === 'success') check(!got.some((x) => x.event === 'item/error'), 'an item/error webhook on success');
    else check(!got.some((x) => x.event === 'item/created' || x.event === 'item/updated'), 'a success webhook on the error path');
    const item = await api('GET', `/items/${itemId}`);
    check(item.clientUserId === clientUserId, `the item's clientUserId is ${item.clientUserId}, not ${clientUserId}`);
    check(item.status === (plan.outcome === 'success' ? 'UPDATED' : 'LOGIN_ERROR'), `the item is ${item.status}`);
    check(item.connector.id === plan.connectorId, `the item's connector is ${item.connector.id}`);
    const blocked = problems.filter((p) => p.startsWith('blocked') || p.startsWith('page error'));
    check(blocked.length === 0, blocked.join('; '));
    return `${seen.join(' → ')}; webhooks ${got.map((h) => h.event).join(', ')}`;
  } finally {
    await browserContext.close().catch(() => {});
  }
}

/**
 * Installed in the backend example's page before its scripts run: wraps the drop-in's
 * `window.PluggyConnect` so that every callback the page gets is recorded (window.__calls)
 * and then handed to the page's own handler. The page itself is unchanged.
 */
const RECORD_THROUGH_THE_DROP_IN = `(() => {
  window.__calls = [];
  const names = ['onOpen', 'onClose', 'onSuccess', 'onError', 'onEvent'];
  let real;
  Object.defineProperty(window, 'PluggyConnect', {
    configurable: true,
    get() { return real; },
    set(Original) {
      const Wrapped = function (props) {
        const p = Object.assign({}, props);
        for (const name of names) {
          const own = props[name];
          p[name] = (payload) => {
            window.__calls.push({ name, payload: payload === undefined ? null : JSON.parse(JSON.stringify(payload)) });
            if (typeof own === 'function') return own(payload);
          };
        }
        return new Original(p);
      };
      Wrapped.prototype = Original.prototype;
      real = Wrapped;
    },
  });
})();`;

/** The backend example's page after the widget: what it shows, and what the backend holds. */
async function backendAfterwards(page, key, plan, clientUserId, itemId, seen, problems) {
  const user = { 'x-user-id': clientUserId };
  const final = plan.outcome === 'success' ? 'done' : 'error';
  await page.waitForSelector(`#status[data-state="${final}"]`, { timeout: STEP_MS }).catch(async () => {
    const now = await page.$eval('#status', (el) => `${el.getAttribute('data-state')}: ${el.textContent}`);
    throw new Failure(`the page did not reach "${final}" (it says ${now})`);
  });
  await page.screenshot({ path: path.join(SHOTS, `${key}-${String(seen.length + 2).padStart(2, '0')}-page-${final}.png`), fullPage: true });
  const status = await page.$eval('#status', (el) => el.textContent);
  let detail;
  if (plan.outcome === 'success') {
    const shown = await page.$eval('#item-details', (el) => el.textContent);
    check(shown.includes(itemId) && shown.includes(clientUserId), `the page's item shows ${shown}`);
    const accounts = await page.$$eval('[data-account-id]', (els) => els.map((e) => e.getAttribute('data-account-id')));
    check(accounts.length > 0, 'the page shows no accounts');
    const tables = await page.$$eval('[data-account-id] table tr', (rows) => rows.length);
    check(tables > accounts.length, 'the page shows no transactions');
    // The webhook reached the backend: it linked the item to the user.
    const res = await fetch(`${BACKEND}/items`, { headers: user, signal: AbortSignal.timeout(STEP_MS) });
    const mine = (await res.json()).items || [];
    check(mine.some((r) => r.itemId === itemId), `the backend did not link ${itemId} to ${clientUserId}: ${JSON.stringify(mine)}`);
    detail = `${accounts.length} accounts, ${tables - accounts.length} transaction rows; the backend lists the item`;
  } else {
    check(status.includes('Error'), `the page's error line: ${status}`);
    detail = `the page says "${status}"`;
  }
  const item = await api('GET', `/items/${itemId}`);
  check(item.clientUserId === clientUserId, `the item's clientUserId is ${item.clientUserId}, not ${clientUserId}`);
  check(item.status === (plan.outcome === 'success' ? 'UPDATED' : 'LOGIN_ERROR'), `the item is ${item.status}`);
  const bad = problems.filter((p) => p.startsWith('blocked') || p.startsWith('page error'));
  check(bad.length === 0, bad.join('; '));
  return `${seen.join(' → ')}; ${detail}`;
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const old of fs.readdirSync(SHOTS)) if (old.endsWith('.png')) fs.rmSync(path.join(SHOTS, old));
  apiKey = (await api('POST', '/auth', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).apiKey;
  const hookServer = await receiver();
  const pageServer = await staticServer();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pluggy-browser-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    timeout: STEP_MS,
    protocolTimeout: STEP_MS * 2,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const watchdog = setTimeout(() => {
    console.log(`FAIL the browser cases did not finish within ${TOTAL_MS / 1000}s; Chromium killed`);
    const child = browser.process();
    if (child) child.kill('SIGKILL');
    fs.rmSync(profile, { recursive: true, force: true });
    process.exit(1);
  }, TOTAL_MS);
  const ctx = { browser, hooks: hookServer.url, pages: pageServer.url };
  let failed = 0;
  try {
    for (const way of ['sdk', 'dropin', 'standalone', 'backend']) {
      for (const name of Object.keys(CASES)) {
        if (ONLY.length && !ONLY.includes(way) && !ONLY.includes(`${way}/${name}`)) continue;
        if (way === 'backend' && !BACKEND) {
          console.log(`skip ${way}/${name}: BACKEND_URL is not set`);
          continue;
        }
        if (way === 'backend' && CASES[name].update) {
          console.log(`skip ${way}/${name}: the example's page has no update mode (its backend mints update tokens; no button asks for one)`);
          continue;
        }
        const started = Date.now();
        try {
          const detail = await runCase(ctx, way, name);
          console.log(`ok   ${way}/${name} (${((Date.now() - started) / 1000).toFixed(1)}s): ${detail}`);
        } catch (e) {
          failed += 1;
          console.log(`FAIL ${way}/${name} (${((Date.now() - started) / 1000).toFixed(1)}s): ${e instanceof Failure ? e.message : e.stack}`);
        }
      }
    }
  } finally {
    clearTimeout(watchdog);
    await browser.close().catch(() => {});
    hookServer.server.close();
    pageServer.server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(failed ? `${failed} browser case(s) failed; screenshots in ${SHOTS}` : `all browser cases passed; screenshots in ${SHOTS}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
