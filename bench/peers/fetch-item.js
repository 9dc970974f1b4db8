'use strict'
// One peer run of pluggy-bench: Pluggy's official Node SDK (npm `pluggy-sdk`, unchanged) calls
// `fetchItem` on one item in a closed loop, PEER_IN_FLIGHT calls at a time, against the API at
// PLUGGY_API_URL with PLUGGY_CLIENT_ID / PLUGGY_CLIENT_SECRET. One call first (it authenticates),
// then PEER_WARMUP_MS not counted, then PEER_WINDOW_MS counted.
//
// Prints one JSON line on standard output: the calls completed inside the window, the failed
// ones, the window's length, this process's peak resident set (VmHWM of /proc/self/status, and
// process.resourceUsage().maxRSS) and the first failure. Exits 0 after printing it, 2 when the
// environment is incomplete or the first call fails.

const fs = require('node:fs')

function fail(message) {
  process.stderr.write(`bench/peers: ${message}\n`)
  process.exit(2)
}

const names = [
  'PLUGGY_API_URL',
  'PLUGGY_CLIENT_ID',
  'PLUGGY_CLIENT_SECRET',
  'PEER_ITEM_ID',
  'PEER_IN_FLIGHT',
  'PEER_WARMUP_MS',
  'PEER_WINDOW_MS',
]
for (const name of names) {
  if (!process.env[name]) fail(`${name} is not set (need ${names.join(', ')})`)
}
const itemId = process.env.PEER_ITEM_ID
const inFlight = Number(process.env.PEER_IN_FLIGHT)
const warmupMs = Number(process.env.PEER_WARMUP_MS)
const windowMs = Number(process.env.PEER_WINDOW_MS)
if (!(inFlight >= 1) || !(warmupMs >= 0) || !(windowMs > 0)) {
  fail('PEER_IN_FLIGHT must be at least 1, PEER_WARMUP_MS at least 0, PEER_WINDOW_MS above 0')
}

let PluggyClient
try {
  ;({ PluggyClient } = require('pluggy-sdk'))
} catch (err) {
  fail(`cannot load pluggy-sdk (${err.message}); run \`npm ci\` where this script lives`)
}

/** What a rejection of the SDK carries: an API error body, or an Error. */
function describeError(err) {
  if (err instanceof Error) return err.message
  try {
    return JSON.stringify(err)
  } catch {
    return String(err)
  }
}

/** VmHWM of /proc/self/status in KiB, or null where there is no /proc. */
function vmHwmKib() {
  try {
    const line = fs
      .readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find(l => l.startsWith('VmHWM:'))
    const kib = line ? Number.parseInt(line.slice('VmHWM:'.length).trim(), 10) : NaN
    return Number.isFinite(kib) ? kib : null
  } catch {
    return null
  }
}

async function main() {
  const client = new PluggyClient({
    clientId: process.env.PLUGGY_CLIENT_ID,
    clientSecret: process.env.PLUGGY_CLIENT_SECRET,
  })
  try {
    const item = await client.fetchItem(itemId)
    if (item.id !== itemId) fail(`fetchItem answered item ${item.id}, not ${itemId}`)
  } catch (err) {
    fail(`the first fetchItem failed: ${describeError(err)}`)
  }

  const start = performance.now()
  const from = start + warmupMs
  const until = from + windowMs
  let requests = 0
  let errors = 0
  let firstError = null
  async function loop() {
    while (performance.now() < until) {
      let ok = true
      try {
        await client.fetchItem(itemId)
      } catch (err) {
        ok = false
        if (firstError === null) firstError = describeError(err)
      }
      const done = performance.now()
      if (done >= from && done < until) {
        if (ok) requests++
        else errors++
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, loop))

  const result = {
    requests,
    errors,
    window_secs: windowMs / 1000,
    vm_hwm_kib: vmHwmKib(),
    max_rss_kib: process.resourceUsage().maxRSS,
    first_error: firstError,
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

main().catch(err => fail(describeError(err)))
