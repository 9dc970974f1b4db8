'use strict'
// Runs the normal flows of Pluggy's official Node SDK (npm `pluggy-sdk`, unchanged) against the
// API at PLUGGY_API_URL, with PLUGGY_CLIENT_ID / PLUGGY_CLIENT_SECRET. Each step checks what
// the SDK's own integration tests check. Exits 0 when every step passes, 1 on the first
// failure (naming the step and the reason), 2 when the environment is incomplete.
//
// Webhook deliveries are received on a local HTTP server (127.0.0.1, ephemeral port), so the
// API under test must accept plain-http loopback webhook URLs (the emulator's
// --allow-insecure-webhooks).

const assert = require('node:assert/strict')
const http = require('node:http')

const TIMEOUT_MS = Number(process.env.COMPAT_TIMEOUT_MS || 50000)
const SANDBOX_CONNECTOR_ID = 0
const MFA_2STEP_CONNECTOR_ID = 3
const MFA_VALUE = '123456'
const CREDENTIALS = { user: 'user-ok', password: 'password-ok' }
const PENDING_STATUSES = ['UPDATING', 'MERGING']
const NON_EXISTENT_UUID = '00000000-0000-0000-0000-000000000000'
const TAG = `compat-node-${process.pid}`
// The emulator's sandbox bank that initiates payments, and valid tax numbers.
const PAYMENT_CONNECTOR_ID = 600
const PAYER_CPF = '52998224725'
const RECIPIENT_CNPJ = '11222333000181'

function fail(message, code) {
  process.stderr.write(`compat/node: ${message}\n`)
  process.exit(code)
}

for (const name of ['PLUGGY_API_URL', 'PLUGGY_CLIENT_ID', 'PLUGGY_CLIENT_SECRET']) {
  if (!process.env[name]) {
    fail(`${name} is not set (need PLUGGY_API_URL, PLUGGY_CLIENT_ID, PLUGGY_CLIENT_SECRET)`, 2)
  }
}

let PluggyClient
try {
  ;({ PluggyClient } = require('pluggy-sdk'))
} catch (err) {
  fail(`cannot load pluggy-sdk (${err.message}); run \`npm ci\` in compat/node first`, 2)
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

/** What a rejection of the SDK carries: an API error body, or an Error. */
function describeError(err) {
  if (err instanceof Error) return err.stack || err.message
  try {
    return `rejected with ${JSON.stringify(err)}`
  } catch {
    return `rejected with ${String(err)}`
  }
}

/** The SDK rejects with the API's error body; returns it, failing if the call succeeded. */
async function rejection(promise) {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the call to be rejected, but it succeeded')
}

/** The transaction date filter the SDK's tests use: one year ago, `YYYY-MM-DD`. */
function oneYearAgo() {
  const d = new Date()
  d.setFullYear(d.getFullYear() - 1)
  return d.toISOString().split('T')[0]
}

/** Polls an item until it leaves the pending statuses (as the SDK's test helper does). */
async function waitForItem(client, item, { onWaitingInput } = {}) {
  const deadline = Date.now() + 30000
  while (PENDING_STATUSES.includes(item.status) || item.status === 'WAITING_USER_INPUT') {
    if (item.status === 'WAITING_USER_INPUT') {
      if (!onWaitingInput) throw new Error(`item ${item.id} unexpectedly waits for user input`)
      item = await onWaitingInput(item)
      continue
    }
    if (Date.now() > deadline) {
      throw new Error(`item ${item.id} still ${item.status} after 30 s`)
    }
    await sleep(100)
    item = await client.fetchItem(item.id)
  }
  return item
}

/** A local receiver that records the JSON bodies POSTed to it. */
function startReceiver() {
  const events = []
  const waiters = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      let body
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString('utf8') }
      }
      events.push({ headers: req.headers, body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
      for (const w of waiters.splice(0)) w()
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        url: `http://127.0.0.1:${port}/hooks`,
        events,
        async waitFor(predicate, what) {
          const deadline = Date.now() + 10000
          for (;;) {
            const found = events.find(predicate)
            if (found) return found
            const left = deadline - Date.now()
            if (left <= 0) {
              const seen = events.map(e => e.body && e.body.event).join(', ') || 'none'
              throw new Error(`no webhook ${what} within 10 s (received: ${seen})`)
            }
            await new Promise(resolve => {
              waiters.push(resolve)
              setTimeout(resolve, Math.min(left, 200))
            })
          }
        },
        close: () => new Promise(resolve => server.close(() => resolve())),
      })
    })
  })
}

const steps = []
function step(name, run) {
  steps.push({ name, run })
}

const client = new PluggyClient({
  clientId: process.env.PLUGGY_CLIENT_ID,
  clientSecret: process.env.PLUGGY_CLIENT_SECRET,
})
const ctx = {}

step('connect token (createConnectToken)', async () => {
  const response = await client.createConnectToken(undefined, { clientUserId: TAG })
  assert.equal(typeof response.accessToken, 'string')
  assert.ok(response.accessToken.length > 0, 'accessToken is empty')
  const forItemless = await client.createConnectToken()
  assert.equal(typeof forItemless.accessToken, 'string')
})

step('connectors (fetchConnectors, fetchConnector, validateParameters)', async () => {
  const sandbox = await client.fetchConnectors({ sandbox: true })
  assert.ok(sandbox.results.length > 0, 'no connectors with sandbox=true')
  const bank = sandbox.results.find(c => c.id === SANDBOX_CONNECTOR_ID)
  assert.ok(bank, `connector ${SANDBOX_CONNECTOR_ID} missing from sandbox=true`)
  assert.equal(bank.isSandbox, true)

  const production = await client.fetchConnectors()
  assert.ok(production.results.length > 0, 'no connectors without filters')
  assert.ok(
    production.results.some(c => c.isSandbox === false),
    'no production connector without the sandbox filter'
  )
  const types = ['PERSONAL_BANK', 'BUSINESS_BANK']
  const filtered = await client.fetchConnectors({ sandbox: true, countries: ['BR'], types })
  assert.ok(filtered.results.length > 0, 'no connector for countries=BR and two types')
  for (const c of filtered.results) {
    assert.ok(types.includes(c.type), `type filter let ${c.type} through`)
  }

  const connector = await client.fetchConnector(SANDBOX_CONNECTOR_ID)
  assert.equal(connector.id, SANDBOX_CONNECTOR_ID)
  assert.equal(connector.isSandbox, true)
  assert.equal(typeof connector.name, 'string')
  assert.ok(connector.name.length > 0)
  assert.ok(Array.isArray(connector.credentials), 'credentials is not an array')

  const valid = await client.validateParameters(SANDBOX_CONNECTOR_ID, CREDENTIALS)
  assert.deepEqual(valid.errors, [])
  const invalid = await client.validateParameters(SANDBOX_CONNECTOR_ID, { user: 'user-ok' })
  assert.ok(invalid.errors.some(e => e.parameter === 'password'), 'missing password not reported')
})

step('webhook receiver (createWebhook to a local URL)', async () => {
  ctx.receiver = await startReceiver()
  ctx.localWebhook = await client.createWebhook('all', ctx.receiver.url, { 'x-compat': TAG })
  assert.ok(ctx.localWebhook.id, 'webhook has no id')
})

step('create item and poll until UPDATED (createItem, fetchItem)', async () => {
  const created = await client.createItem(SANDBOX_CONNECTOR_ID, CREDENTIALS, {
    clientUserId: TAG,
  })
  assert.ok(created.id, 'item has no id')
  assert.ok(
    [...PENDING_STATUSES, 'UPDATED'].includes(created.status),
    `createItem answered status ${created.status}`
  )
  const item = await waitForItem(client, created)
  assert.equal(item.status, 'UPDATED', `item ended ${item.status}/${item.executionStatus}`)
  assert.equal(item.executionStatus, 'SUCCESS')
  assert.equal(item.id, created.id)
  assert.equal(item.connector.id, SANDBOX_CONNECTOR_ID)
  assert.equal(item.clientUserId, TAG)
  assert.ok(item.createdAt instanceof Date, 'createdAt is not an ISO timestamp')
  assert.ok(item.updatedAt instanceof Date, 'updatedAt is not an ISO timestamp')
  assert.ok(item.lastUpdatedAt instanceof Date, 'lastUpdatedAt is not an ISO timestamp')
  ctx.item = item
})

step('accounts (fetchAccounts, fetchAccount)', async () => {
  const page = await client.fetchAccounts(ctx.item.id)
  assert.ok(page.results.length > 0, 'no accounts')
  for (const account of page.results) {
    assert.ok(account.id)
    assert.equal(account.itemId, ctx.item.id)
    assert.equal(typeof account.balance, 'number')
    assert.ok(account.type)
    assert.ok(account.currencyCode)
  }
  const bank = await client.fetchAccounts(ctx.item.id, 'BANK')
  assert.ok(bank.results.length > 0, 'no BANK account')
  for (const account of bank.results) assert.equal(account.type, 'BANK')
  ctx.account = bank.results[0]
  const fetched = await client.fetchAccount(ctx.account.id)
  assert.equal(fetched.id, ctx.account.id)
  assert.equal(fetched.itemId, ctx.account.itemId)
  assert.equal(fetched.type, ctx.account.type)
})

step('transactions (fetchTransactionsCursor, fetchAllTransactions, fetchTransaction)', async () => {
  const accountId = ctx.account.id
  const page = await client.fetchTransactionsCursor(accountId, { dateFrom: oneYearAgo() })
  assert.ok(Array.isArray(page.results), 'results is not an array')
  assert.ok('next' in page, 'the cursor page has no `next` (null on the last page)')
  assert.ok(page.results.length > 0, 'no transactions')
  for (const tx of page.results) {
    assert.ok(tx.id)
    assert.equal(tx.accountId, accountId)
    assert.equal(typeof tx.amount, 'number')
    assert.ok(tx.date instanceof Date, 'date is not an ISO timestamp')
  }
  const all = await client.fetchAllTransactions(accountId, { dateFrom: oneYearAgo() })
  assert.equal(new Set(all.map(t => t.id)).size, all.length, 'duplicate transactions')
  assert.ok(all.length >= page.results.length)

  const tx = page.results[0]
  const fetched = await client.fetchTransaction(tx.id)
  assert.equal(fetched.id, tx.id)
  assert.equal(fetched.accountId, tx.accountId)

  const legacy = await client.fetchTransactions(accountId, { pageSize: 10, page: 1 })
  assert.equal(legacy.page, 1)
  assert.ok(legacy.results.length <= 10)
  assert.equal(legacy.total, all.length)
  assert.equal(legacy.totalPages, Math.ceil(all.length / 10))
})

step('transactions across cursor pages (user-ok-perf-30, fetchAllTransactions)', async () => {
  const created = await client.createItem(SANDBOX_CONNECTOR_ID, {
    user: 'user-ok-perf-30',
    password: 'password-ok',
  })
  const item = await waitForItem(client, created)
  assert.equal(item.status, 'UPDATED')
  const { results } = await client.fetchAccounts(item.id, 'BANK')
  const account = results[0]
  const first = await client.fetchTransactionsCursor(account.id)
  assert.equal(typeof first.next, 'string', 'a first page of a long list has no next cursor')
  const all = await client.fetchAllTransactions(account.id)
  assert.ok(all.length > first.results.length, 'fetchAllTransactions did not follow `next`')
  assert.equal(new Set(all.map(t => t.id)).size, all.length, 'duplicate transactions')
  const legacy = await client.fetchTransactions(account.id)
  assert.equal(legacy.total, all.length)
  await client.deleteItem(item.id)
})

step('identity (fetchIdentityByItemId, fetchIdentity)', async () => {
  const identity = await client.fetchIdentityByItemId(ctx.item.id)
  assert.ok(identity.id)
  assert.ok(identity.document || identity.fullName, 'identity has neither document nor fullName')
  const byId = await client.fetchIdentity(identity.id)
  assert.equal(byId.id, identity.id)
})

step('investments (fetchInvestments, fetchInvestment, fetchAllInvestmentTransactions)', async () => {
  const page = await client.fetchInvestments(ctx.item.id)
  assert.ok(page.results.length > 0, 'no investments')
  for (const investment of page.results) {
    assert.ok(investment.id)
    assert.equal(investment.itemId, ctx.item.id)
    assert.equal(typeof investment.balance, 'number')
  }
  const first = page.results[0]
  const fetched = await client.fetchInvestment(first.id)
  assert.equal(fetched.id, first.id)
  assert.equal(fetched.itemId, first.itemId)
  const txs = await client.fetchAllInvestmentTransactions(first.id)
  assert.ok(Array.isArray(txs))
  assert.equal(new Set(txs.map(t => t.id)).size, txs.length, 'duplicate investment transactions')
})

step('data products (fetchCreditCardBills, fetchCreditCardBill, fetchAccountStatements, fetchLoans, fetchLoan, fetchCategories, fetchCategory, updateTransactionCategory)', async () => {
  const cards = await client.fetchAccounts(ctx.item.id, 'CREDIT')
  assert.ok(cards.results.length > 0, 'no CREDIT account')
  const card = cards.results[0]
  const bills = await client.fetchCreditCardBills(card.id)
  assert.ok(bills.results.length > 0, 'no credit card bills')
  const billIds = new Set(bills.results.map(b => b.id))
  for (const bill of bills.results) {
    assert.ok(bill.dueDate instanceof Date, 'dueDate is not an ISO timestamp')
    assert.equal(typeof bill.totalAmount, 'number')
    assert.ok(Array.isArray(bill.financeCharges) && Array.isArray(bill.payments))
  }
  const bill = await client.fetchCreditCardBill(bills.results[0].id)
  assert.equal(bill.id, bills.results[0].id)
  const cardTxs = await client.fetchAllTransactions(card.id)
  const billed = cardTxs.filter(t => t.creditCardMetadata && t.creditCardMetadata.billId)
  assert.ok(billed.length > 0, 'no card transaction carries a billId')
  for (const t of billed) assert.ok(billIds.has(t.creditCardMetadata.billId), 'billId of no bill')

  const statements = await client.fetchAccountStatements(ctx.account.id)
  assert.ok(statements.results.length > 0, 'no account statements')
  for (const s of statements.results) assert.match(s.monthYear, /^\d{2}-\d{4}$/)

  const loans = await client.fetchLoans(ctx.item.id)
  assert.ok(loans.results.length > 0, 'no loans')
  const loan = await client.fetchLoan(loans.results[0].id)
  assert.equal(loan.id, loans.results[0].id)
  assert.equal(loan.itemId, ctx.item.id)

  const categories = await client.fetchCategories()
  assert.ok(categories.results.length > 0, 'no categories')
  const ids = new Set(categories.results.map(c => c.id))
  for (const c of categories.results) {
    if (c.parentId) assert.ok(ids.has(c.parentId), `category ${c.id} has no parent ${c.parentId}`)
  }
  const category = await client.fetchCategory(categories.results[1].id)
  assert.equal(category.id, categories.results[1].id)

  const tx = cardTxs[0]
  assert.ok(ids.has(tx.categoryId), 'a transaction category outside the tree')
  const other = categories.results.find(c => c.id !== tx.categoryId)
  const updated = await client.updateTransactionCategory(tx.id, other.id)
  assert.equal(updated.categoryId, other.id)
  assert.equal((await client.fetchTransaction(tx.id)).categoryId, other.id)
})

step('Open Finance consents (fetchConsents, fetchConsent)', async () => {
  const { results } = await client.fetchConnectors({ sandbox: true, isOpenFinance: true })
  const connector = results.find(c => c.isOpenFinance)
  assert.ok(connector, 'no Open Finance sandbox connector')
  const item = await waitForItem(client, await client.createItem(connector.id, CREDENTIALS))
  assert.equal(item.status, 'UPDATED')
  const consents = await client.fetchConsents(item.id)
  assert.ok(consents.results.length > 0, 'no consents for an Open Finance item')
  const consent = await client.fetchConsent(consents.results[0].id)
  assert.equal(consent.itemId, item.id)
  assert.ok(consent.createdAt instanceof Date, 'createdAt is not an ISO timestamp')
  assert.ok(Array.isArray(consent.openFinancePermissionsGranted))
  await client.deleteItem(item.id)
})

step('item update (updateItem) and webhooks received for it', async () => {
  const updated = await client.updateItem(ctx.item.id, undefined, { clientUserId: `${TAG}-2` })
  assert.equal(updated.id, ctx.item.id)
  const item = await waitForItem(client, updated)
  assert.equal(item.status, 'UPDATED')
  assert.equal(item.clientUserId, `${TAG}-2`)
  const event = await ctx.receiver.waitFor(
    e => e.body.event === 'item/updated' && e.body.itemId === ctx.item.id,
    'item/updated'
  )
  assert.equal(event.headers['x-compat'], TAG, 'custom webhook header not sent')
  assert.ok(event.body.eventId, 'webhook payload has no eventId')
  assert.equal(event.body.triggeredBy, 'CLIENT')
})

step('MFA 2-step (createItem on connector 3, updateItemMFA)', async () => {
  const created = await client.createItem(MFA_2STEP_CONNECTOR_ID, CREDENTIALS)
  let prompted = false
  const item = await waitForItem(client, created, {
    onWaitingInput: async waiting => {
      assert.ok(waiting.parameter && waiting.parameter.name, 'WAITING_USER_INPUT without parameter')
      prompted = true
      return client.updateItemMFA(waiting.id, { [waiting.parameter.name]: MFA_VALUE })
    },
  })
  assert.ok(prompted, 'the 2-step MFA connector never asked for input')
  assert.equal(item.status, 'UPDATED', `item ended ${item.status}/${item.executionStatus}`)
  await client.deleteItem(item.id)
})

step('webhooks CRUD (create, fetch all, fetch one, update, delete)', async () => {
  const createUrl = `https://example.com/webhooks/${TAG}`
  const updateUrl = `https://example.com/webhooks/${TAG}-updated`
  const created = await client.createWebhook('item/updated', createUrl)
  assert.ok(created.id)
  assert.equal(created.url, createUrl)
  assert.equal(created.event, 'item/updated')
  try {
    const list = await client.fetchWebhooks()
    assert.ok(list.results.some(w => w.id === created.id), 'created webhook not listed')
    const fetched = await client.fetchWebhook(created.id)
    assert.equal(fetched.id, created.id)
    assert.equal(fetched.url, createUrl)
    const updated = await client.updateWebhook(created.id, { url: updateUrl, event: 'all' })
    assert.equal(updated.id, created.id)
    assert.equal(updated.url, updateUrl)
    assert.equal(updated.event, 'all')
  } finally {
    await client.deleteWebhook(created.id)
  }
  const after = await client.fetchWebhooks()
  assert.ok(!after.results.some(w => w.id === created.id), 'deleted webhook still listed')
})

step('429 with Retry-After is retried by the SDK (emulator fault rule)', async () => {
  // Needs the emulator's /__emulator routes; against any other server this step is skipped.
  const admin = `${process.env.PLUGGY_API_URL}/__emulator`
  const stats = async () => {
    const res = await fetch(`${admin}/stats`)
    return res.ok ? res.json() : null
  }
  const before = await stats().catch(() => null)
  if (!before) return 'skipped: no /__emulator routes'
  const rule = { method: 'GET', route: '/connectors/{id}', status: 429, retry_after: 1, times: 1 }
  const created = await fetch(`${admin}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  })
  assert.equal(created.status, 200, 'the fault rule was not accepted')
  try {
    const t0 = Date.now()
    const connector = await client.fetchConnector(SANDBOX_CONNECTOR_ID)
    assert.equal(connector.id, SANDBOX_CONNECTOR_ID)
    assert.ok(Date.now() - t0 >= 900, 'the SDK did not wait for Retry-After')
    const counts = (await stats()).requests['GET /connectors/{id}'] || {}
    const earlier = before.requests['GET /connectors/{id}'] || {}
    assert.equal((counts['429'] || 0) - (earlier['429'] || 0), 1, 'expected one 429')
    assert.equal((counts['200'] || 0) - (earlier['200'] || 0), 1, 'expected one retried 200')
  } finally {
    await fetch(`${admin}/faults`, { method: 'DELETE' })
  }
})

step('error paths (unknown ids, bad credentials)', async () => {
  for (const [what, call] of [
    ['fetchItem', () => client.fetchItem(NON_EXISTENT_UUID)],
    ['fetchAccount', () => client.fetchAccount(NON_EXISTENT_UUID)],
    ['fetchTransaction', () => client.fetchTransaction(NON_EXISTENT_UUID)],
    ['fetchConnector', () => client.fetchConnector(99999999)],
  ]) {
    const body = await rejection(call())
    assert.ok(body && (body.message || body.code), `${what}: rejection without an API error body`)
    assert.equal(body.code, 404, `${what}: expected code 404, got ${JSON.stringify(body)}`)
  }
  const bad = await rejection(client.createItem(SANDBOX_CONNECTOR_ID, { user: 'x' }))
  assert.equal(bad.code, 400)
  assert.ok(Array.isArray(bad.details) && bad.details.length > 0, 'no details in the 400')
})

/** Calls one of the emulator's tester routes (the payer's side of a payment). */
async function tester(path, body = {}) {
  const res = await fetch(`${process.env.PLUGGY_API_URL}/__emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const answer = await res.json()
  assert.equal(res.status, 200, `tester route ${path}: ${JSON.stringify(answer)}`)
  return answer
}

step('payments (customer, recipient, request, intent approved by the payer, settled, intents listed)', async () => {
  const payments = client.payments
  const customer = await payments.createPaymentCustomer({
    type: 'INDIVIDUAL',
    name: 'Compat Payer',
    email: 'payer@example.com',
    cpf: PAYER_CPF,
  })
  assert.ok(customer.id, 'customer has no id')
  assert.equal((await payments.fetchPaymentCustomer(customer.id)).cpf, PAYER_CPF)
  const institutions = await payments.fetchPaymentInstitutions({ name: 'Nubank' })
  assert.ok(institutions.results.length > 0, 'no payment institution named Nubank')
  const recipient = await payments.createPaymentRecipient({
    taxNumber: RECIPIENT_CNPJ,
    name: 'Compat Store',
    paymentInstitutionId: institutions.results[0].id,
    account: { branch: '0001', number: '123456-7', type: 'CHECKING_ACCOUNT' },
  })
  assert.equal(recipient.paymentInstitution.id, institutions.results[0].id)
  const recipients = await payments.fetchPaymentRecipients()
  assert.ok(recipients.results.some(r => r.id === recipient.id), 'recipient not listed')

  const request = await payments.createPaymentRequest({
    amount: 12.34,
    description: TAG,
    recipientId: recipient.id,
    customerId: customer.id,
  })
  assert.equal(request.status, 'CREATED')
  assert.equal(request.amount, 12.34)
  assert.ok(request.paymentUrl.includes(request.id), 'paymentUrl does not name the request')

  const intent = await payments.createPaymentIntent({
    paymentRequestId: request.id,
    connectorId: PAYMENT_CONNECTOR_ID,
    parameters: { cpf: PAYER_CPF },
  })
  assert.equal(intent.status, 'STARTED')
  const approved = await tester(`payments/intents/${intent.id}/authorize`)
  assert.equal(approved.status, 'CONSENT_AUTHORIZED')

  const deadline = Date.now() + 15000
  let settled = await payments.fetchPaymentRequest(request.id)
  while (settled.status !== 'COMPLETED') {
    if (Date.now() > deadline) throw new Error(`payment request still ${settled.status} after 15 s`)
    await sleep(200)
    settled = await payments.fetchPaymentRequest(request.id)
  }
  const intents = await payments.fetchPaymentIntents({ paymentRequestId: request.id })
  assert.equal(intents.results.length, 1)
  assert.equal(intents.results[0].id, intent.id)
  assert.equal(intents.results[0].status, 'PAYMENT_COMPLETED')
  assert.equal((await payments.fetchPaymentIntent(intent.id)).status, 'PAYMENT_COMPLETED')
  await ctx.receiver.waitFor(
    e =>
      e.body.event === 'payment_request/updated' &&
      e.body.paymentRequestId === request.id &&
      e.body.data && e.body.data.status === 'COMPLETED',
    'payment_request/updated COMPLETED'
  )
  await ctx.receiver.waitFor(
    e => e.body.event === 'payment_intent/completed' && e.body.paymentIntentId === intent.id,
    'payment_intent/completed'
  )
  const missing = await rejection(payments.fetchPaymentRequest(NON_EXISTENT_UUID))
  assert.equal(missing.code, 404)
  const invalid = await rejection(
    payments.createPaymentCustomer({ type: 'INDIVIDUAL', name: 'X', cpf: '12345678900' })
  )
  assert.equal(invalid.code, 400)
  await payments.deletePaymentRequest(request.id)
  await payments.deletePaymentRecipient(recipient.id)
  await payments.deletePaymentCustomer(customer.id)
})

step('delete item (deleteItem) and its webhook', async () => {
  await client.deleteItem(ctx.item.id)
  const body = await rejection(client.fetchItem(ctx.item.id))
  assert.equal(body.code, 404, 'the deleted item can still be fetched')
  await ctx.receiver.waitFor(
    e => e.body.event === 'item/deleted' && e.body.itemId === ctx.item.id,
    'item/deleted'
  )
  await client.deleteWebhook(ctx.localWebhook.id)
})

async function main() {
  const started = Date.now()
  const timer = setTimeout(
    () => fail(`timed out after ${TIMEOUT_MS / 1000} s`, 1),
    TIMEOUT_MS
  )
  // The SDK logs every failed HTTP call; keep the output to this script's own verdicts.
  const consoleError = console.error
  console.error = () => {}
  let failed = 0
  for (const { name, run } of steps) {
    const t0 = Date.now()
    try {
      const note = await run()
      const suffix = typeof note === 'string' ? `, ${note}` : ''
      process.stdout.write(`ok   ${name} (${Date.now() - t0} ms${suffix})\n`)
    } catch (err) {
      failed += 1
      process.stdout.write(`FAIL ${name}\n     ${describeError(err).split('\n').join('\n     ')}\n`)
      break
    }
  }
  console.error = consoleError
  if (ctx.receiver) await ctx.receiver.close()
  clearTimeout(timer)
  if (failed > 0) {
    fail(`pluggy-sdk ${require('pluggy-sdk/package.json').version}: a step failed`, 1)
  }
  const version = require('pluggy-sdk/package.json').version
  const elapsed = Date.now() - started
  process.stdout.write(`pluggy-sdk ${version}: ${steps.length} steps passed in ${elapsed} ms\n`)
}

main().catch(err => fail(describeError(err), 1))
