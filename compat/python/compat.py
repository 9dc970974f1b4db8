"""Runs the normal flows of Pluggy's official Python SDK (PyPI `pluggy-sdk`, unchanged) against
the API at PLUGGY_API_URL, with PLUGGY_CLIENT_ID / PLUGGY_CLIENT_SECRET.

The SDK is generated from the OpenAPI document with strict pydantic models, so every answer is
also checked against the official schemas as the SDK reads them. Exits 0 when every step
passes, 1 on the first failure (naming the step and the reason), 2 when the environment is
incomplete.

Webhook deliveries are received on a local HTTP server (127.0.0.1, ephemeral port), so the API
under test must accept plain-http loopback webhook URLs (the emulator's
--allow-insecure-webhooks).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

SANDBOX_CONNECTOR_ID = 0
MFA_2STEP_CONNECTOR_ID = 3
MFA_VALUE = "123456"
CREDENTIALS = {"user": "user-ok", "password": "password-ok"}
PENDING_STATUSES = ("UPDATING", "MERGING")
NON_EXISTENT_UUID = "00000000-0000-0000-0000-000000000000"
TAG = f"compat-python-{os.getpid()}"
# The emulator's sandbox bank that initiates payments, and valid tax numbers.
PAYMENT_CONNECTOR_ID = 600
PAYER_CPF = "52998224725"
RECIPIENT_CNPJ = "11222333000181"


def fail(message: str, code: int) -> None:
    sys.stderr.write(f"compat/python: {message}\n")
    sys.exit(code)


for _name in ("PLUGGY_API_URL", "PLUGGY_CLIENT_ID", "PLUGGY_CLIENT_SECRET"):
    if not os.environ.get(_name):
        fail(
            f"{_name} is not set (need PLUGGY_API_URL, PLUGGY_CLIENT_ID, PLUGGY_CLIENT_SECRET)", 2
        )

try:
    import pluggy_sdk
    from pluggy_sdk import (
        AccountApi,
        ApiClient,
        AuthApi,
        AuthRequest,
        BillApi,
        CategoryApi,
        Configuration,
        ConnectorApi,
        ConnectTokenRequest,
        ConsentApi,
        CreateClientCategoryRule,
        CreateItem,
        CreateItemParameters,
        CreateWebhook,
        IdentityApi,
        InvestmentApi,
        ItemOptions,
        CreatePaymentCustomerRequestBody,
        CreatePaymentIntent,
        CreatePaymentRecipient,
        CreatePaymentRequest,
        ItemsApi,
        LoanApi,
        MerchantApi,
        PaymentCustomerApi,
        PaymentIntentApi,
        PaymentIntentParameter,
        PaymentRecipientAccount,
        PaymentRecipientApi,
        PaymentRequestApi,
        TransactionApi,
        UpdateItem,
        UpdateTransaction,
        UpdateWebhook,
        Webhook,
        WebhookApi,
    )
    from pluggy_sdk.exceptions import ApiException
except ImportError as err:
    fail(f"cannot load pluggy_sdk ({err}); install compat/python/requirements.txt first", 2)


class CheckFailed(Exception):
    """A check of a step did not hold."""


def check(condition: Any, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def equal(actual: Any, expected: Any, what: str) -> None:
    # The SDK's models type some ids as UUID and others as str; compare them as text.
    if isinstance(actual, UUID):
        actual = str(actual)
    if isinstance(expected, UUID):
        expected = str(expected)
    if actual != expected:
        raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")


def rejection(call: Callable[[], Any]) -> ApiException:
    """The SDK raises ApiException for non-2xx answers; returns it, failing on success."""
    try:
        call()
    except ApiException as err:
        return err
    raise CheckFailed("expected the call to be rejected, but it succeeded")


class Receiver:
    """A local HTTP server that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.events: list[tuple[dict[str, str], Any]] = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"unparsable": raw.decode("utf-8", "replace")}
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.cond:
                    receiver.events.append((headers, body))
                    receiver.cond.notify_all()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, predicate: Callable[[Any], bool], what: str) -> tuple[dict[str, str], Any]:
        deadline = time.monotonic() + 10
        with self.cond:
            while True:
                for headers, body in self.events:
                    if predicate(body):
                        return headers, body
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(str(b.get("event")) for _, b in self.events) or "none"
                    raise CheckFailed(f"no webhook {what} within 10 s (received: {seen})")
                self.cond.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


configuration = Configuration(host=os.environ["PLUGGY_API_URL"].rstrip("/"))
api_client = ApiClient(configuration)
auth = AuthApi(api_client)
connectors = ConnectorApi(api_client)
items = ItemsApi(api_client)
accounts = AccountApi(api_client)
transactions = TransactionApi(api_client)
identity = IdentityApi(api_client)
investments = InvestmentApi(api_client)
webhooks = WebhookApi(api_client)
bills = BillApi(api_client)
loans = LoanApi(api_client)
consents = ConsentApi(api_client)
categories = CategoryApi(api_client)
merchants = MerchantApi(api_client)
payment_customers = PaymentCustomerApi(api_client)
payment_recipients = PaymentRecipientApi(api_client)
payment_requests = PaymentRequestApi(api_client)
payment_intents = PaymentIntentApi(api_client)
ctx: dict[str, Any] = {}


def wait_for_item(item: Any, on_waiting_input: Callable[[Any], Any] | None = None) -> Any:
    """Polls an item until it leaves the pending statuses, answering MFA prompts if asked."""
    deadline = time.monotonic() + 30
    while item.status in PENDING_STATUSES or item.status == "WAITING_USER_INPUT":
        if item.status == "WAITING_USER_INPUT":
            check(on_waiting_input, f"item {item.id} unexpectedly waits for user input")
            item = on_waiting_input(item)
            continue
        check(time.monotonic() < deadline, f"item {item.id} still {item.status} after 30 s")
        time.sleep(0.1)
        item = items.items_retrieve(item.id)
    return item


def step_auth() -> None:
    response = auth.auth_create(
        AuthRequest(
            clientId=os.environ["PLUGGY_CLIENT_ID"],
            clientSecret=os.environ["PLUGGY_CLIENT_SECRET"],
        )
    )
    check(response.api_key, "auth answered an empty apiKey")
    configuration.api_key["default"] = response.api_key
    bad = rejection(
        lambda: auth.auth_create(
            AuthRequest(clientId=os.environ["PLUGGY_CLIENT_ID"], clientSecret="wrong-secret")
        )
    )
    equal(bad.status, 401, "status of /auth with a wrong secret")
    check(bad.data is not None, "the 401 body does not parse as GlobalErrorResponse")
    equal(bad.data.code_description, "CLIENT_KEYS_UNAUTHORIZED", "codeDescription of the 401")


def step_connect_token() -> None:
    response = auth.connect_token_create(
        ConnectTokenRequest(options=ItemOptions(clientUserId=TAG))
    )
    check(response.access_token, "connect token is empty")
    plain = auth.connect_token_create()
    check(plain.access_token, "connect token without a body is empty")


def step_connectors() -> None:
    sandbox = connectors.connectors_list(sandbox=True)
    check(sandbox.results, "no connectors with sandbox=true")
    bank = next((c for c in sandbox.results if c.id == SANDBOX_CONNECTOR_ID), None)
    check(bank is not None, f"connector {SANDBOX_CONNECTOR_ID} missing from sandbox=true")
    equal(bank.is_sandbox, True, "isSandbox of the sandbox connector")
    production = connectors.connectors_list()
    check(production.results, "no connectors without filters")
    check(
        any(c.is_sandbox is False for c in production.results),
        "no production connector without the sandbox filter",
    )
    filtered = connectors.connectors_list(
        countries=["BR"], types=["PERSONAL_BANK", "BUSINESS_BANK"], sandbox=True
    )
    check(filtered.results, "no connector for countries=BR and two types")
    for c in filtered.results:
        check(c.type in ("PERSONAL_BANK", "BUSINESS_BANK"), f"type filter let {c.type} through")
    connector = connectors.connector_retrieve(SANDBOX_CONNECTOR_ID)
    equal(connector.id, SANDBOX_CONNECTOR_ID, "connector id")
    check(connector.credentials, "connector has no credentials")
    valid = connectors.connectors_validate(SANDBOX_CONNECTOR_ID, CREDENTIALS)
    equal(valid.errors, [], "validation errors of good credentials")
    invalid = connectors.connectors_validate(SANDBOX_CONNECTOR_ID, {"user": "user-ok"})
    check(
        any(e.parameter == "password" for e in invalid.errors), "missing password not reported"
    )


def step_webhook_receiver() -> None:
    ctx["receiver"] = Receiver()
    created = create_webhook("all", ctx["receiver"].url, {"x-compat": TAG})
    ctx["local_webhook"] = created


def create_webhook(event: str, url: str, headers: dict[str, str] | None = None) -> Any:
    """`webhooks_create`, reading the body with the SDK's `Webhook` model.

    The SDK's table maps only `201` to `Webhook` (the OpenAPI document's code), so on the `200`
    the API answers (and the Node SDK requires) it returns no data; the body is parsed with
    the same model here.
    """
    response = webhooks.webhooks_create_with_http_info(
        CreateWebhook(event=event, url=url, headers=headers)
    )
    check(response.status_code in (200, 201), f"POST /webhooks answered {response.status_code}")
    created = response.data or Webhook.from_json(response.raw_data.decode("utf-8"))
    check(created.id, "webhook has no id")
    equal(created.url, url, "url of the created webhook")
    equal(str(created.event.value), event, "event of the created webhook")
    return created


def step_create_item() -> None:
    created = items.items_create(
        CreateItem(
            connectorId=SANDBOX_CONNECTOR_ID,
            parameters=CreateItemParameters(CREDENTIALS),
            clientUserId=TAG,
        )
    )
    check(created.id, "item has no id")
    check(
        created.status in (*PENDING_STATUSES, "UPDATED"),
        f"items_create answered status {created.status}",
    )
    item = wait_for_item(created)
    equal(item.status, "UPDATED", "final status")
    equal(item.execution_status, "SUCCESS", "final executionStatus")
    equal(item.connector.id, SANDBOX_CONNECTOR_ID, "item connector id")
    for field in ("created_at", "updated_at", "last_updated_at"):
        value = getattr(item, field)
        check(isinstance(value, datetime), f"{field} is {value!r}, not a timestamp")
        check(value.tzinfo is not None, f"{field} has no time zone")
    ctx["item"] = item


def step_accounts() -> None:
    page = accounts.accounts_list(ctx["item"].id)
    check(page.results, "no accounts")
    for account in page.results:
        equal(account.item_id, ctx["item"].id, "account itemId")
        check(account.currency_code, "account without currencyCode")
    bank = accounts.accounts_list(ctx["item"].id, type="BANK")
    check(bank.results, "no BANK account")
    for account in bank.results:
        equal(account.type, "BANK", "type filter")
    ctx["account"] = bank.results[0]
    fetched = accounts.accounts_retrieve(ctx["account"].id)
    equal(fetched.id, ctx["account"].id, "account id")


def step_transactions() -> None:
    account_id = ctx["account"].id
    year_ago = datetime.now(timezone.utc) - timedelta(days=365)
    page = transactions.transactions_list_by_cursor(account_id, date_from=year_ago)
    check(page.results, "no transactions")
    for tx in page.results:
        equal(tx.account_id, account_id, "transaction accountId")
        check(isinstance(tx.var_date, datetime), "transaction date is not a timestamp")
    fetched = transactions.transactions_retrieve(page.results[0].id)
    equal(fetched.id, page.results[0].id, "transaction id")

    legacy = transactions.transactions_list(account_id, var_from=year_ago, page_size=10, page=1)
    equal(legacy.page, 1, "page")
    check(len(legacy.results) <= 10, "more results than pageSize")
    equal(legacy.total, len(page.results), "total of the page style vs the cursor style")
    ids = [t.id for t in page.results[:3]]
    by_ids = transactions.transactions_list(account_id, ids=ids)
    equal(
        sorted(str(t.id) for t in by_ids.results),
        sorted(str(i) for i in ids),
        "transactions filtered by ids",
    )


def step_transactions_cursor_pages() -> None:
    created = items.items_create(
        CreateItem(
            connectorId=SANDBOX_CONNECTOR_ID,
            parameters=CreateItemParameters({"user": "user-ok-perf-30", "password": "password-ok"}),
        )
    )
    item = wait_for_item(created)
    equal(item.status, "UPDATED", "final status")
    account = accounts.accounts_list(item.id, type="BANK").results[0]
    first = transactions.transactions_list_by_cursor(account.id)
    check(isinstance(first.next, str), "a first page of a long list has no next cursor")
    seen = [str(t.id) for t in first.results]
    after = first.next
    while after is not None:
        # The SDK takes the decoded `after` value of `next` (see its parameter's description).
        cursor = parse_qs(urlsplit(after).query)["after"][0]
        page = transactions.transactions_list_by_cursor(account.id, after=cursor)
        seen.extend(str(t.id) for t in page.results)
        after = page.next
    equal(len(set(seen)), len(seen), "distinct transactions across cursor pages")
    legacy = transactions.transactions_list(account.id)
    equal(legacy.total, len(seen), "total of the page style vs the cursor pages")
    items.items_delete(item.id)


def step_identity() -> None:
    found = identity.identity_find_by_item(ctx["item"].id)
    check(found.id, "identity has no id")
    check(found.document or found.full_name, "identity has neither document nor fullName")
    by_id = identity.identity_retrieve(found.id)
    equal(by_id.id, found.id, "identity id")


def step_investments() -> None:
    page = investments.investments_list(ctx["item"].id)
    check(page.results, "no investments")
    for investment in page.results:
        equal(investment.item_id, ctx["item"].id, "investment itemId")
    first = page.results[0]
    fetched = investments.investments_retrieve(first.id)
    equal(fetched.id, first.id, "investment id")
    txs = investments.investment_transactions_list(first.id, page_size=500)
    ids = [t.id for t in txs.results]
    equal(len(set(ids)), len(ids), "distinct investment transactions")


def step_products() -> None:
    card = accounts.accounts_list(ctx["item"].id, type="CREDIT").results[0]
    page = bills.bills_list(card.id)
    check(page.results, "no credit card bills")
    bill = bills.bills_retrieve(page.results[0].id)
    equal(bill.id, page.results[0].id, "bill id")
    check(isinstance(bill.due_date, datetime), "bill dueDate is not a timestamp")
    bill_ids = {b.id for b in page.results}
    card_txs = transactions.transactions_list_by_cursor(card.id).results
    billed = [t.credit_card_metadata.bill_id for t in card_txs if t.credit_card_metadata]
    check(any(billed), "no card transaction carries a billId")
    check(all(b in bill_ids for b in billed if b), "a billId of no bill")

    balance = accounts.account_balance_get(ctx["account"].id)
    equal(balance.balance, accounts.accounts_retrieve(ctx["account"].id).balance, "balance")
    statements = accounts.account_statements_list(ctx["account"].id)
    check(statements.results, "no account statements")

    loan_page = loans.loans_list(ctx["item"].id)
    check(loan_page.results, "no loans")
    equal(loans.loans_retrieve(loan_page.results[0].id).id, loan_page.results[0].id, "loan id")

    tree = categories.categories_list()
    ids = {c.id for c in tree.results}
    check(all(c.parent_id in ids for c in tree.results if c.parent_id), "a parent outside the tree")
    equal(categories.categories_retrieve("01010000").parent_id, "01000000", "parent of 01010000")
    tx = card_txs[0]
    check(tx.category_id in ids, "a transaction category outside the tree")
    updated = transactions.transactions_update(tx.id, UpdateTransaction(categoryId="99999999"))
    equal(updated.category_id, "99999999", "categoryId after transactions_update")
    equal(transactions.transactions_retrieve(tx.id).category_id, "99999999", "categoryId read back")

    rule = categories.client_category_rules_create(
        CreateClientCategoryRule(description="posto", categoryId="19050002", matchType="contains")
    )
    listed = categories.client_category_rules_list()
    check(any(r.id == rule.id for r in listed.results), "the new rule is not listed")
    categories.client_category_rules_delete(rule.id)
    check(
        all(r.id != rule.id for r in categories.client_category_rules_list().results),
        "the deleted rule is still listed",
    )

    cnpj = next((t.merchant.cnpj for t in card_txs if t.merchant and t.merchant.cnpj), None)
    check(cnpj, "no transaction with a merchant")
    lookup = merchants.merchants_get_by_cnpj(cnpjs=f"{cnpj},11222333000181,123")
    equal([m.cnpj for m in lookup.found_merchants], [cnpj], "found merchants")
    equal(lookup.not_found_merchants, ["11222333000181"], "merchants not found")
    equal(lookup.invalid_cnpjs, ["123"], "invalid CNPJs")


def step_consents() -> None:
    open_finance = connectors.connectors_list(sandbox=True, is_open_finance=True).results
    connector = next((c for c in open_finance if c.is_open_finance), None)
    check(connector, "no Open Finance sandbox connector")
    created = items.items_create(
        CreateItem(connectorId=connector.id, parameters=CreateItemParameters(CREDENTIALS))
    )
    item = wait_for_item(created)
    equal(item.status, "UPDATED", "status of the Open Finance item")
    page = consents.consents_list(item.id)
    check(page.results, "no consents for an Open Finance item")
    consent = consents.consent_retrieve(page.results[0].id)
    equal(consent.item_id, item.id, "consent itemId")
    check(isinstance(consent.created_at, datetime), "consent createdAt is not a timestamp")
    items.items_delete(item.id)


def step_update_item() -> None:
    updated = items.items_update(ctx["item"].id, UpdateItem(clientUserId=f"{TAG}-2"))
    equal(updated.id, ctx["item"].id, "updated item id")
    item = wait_for_item(updated)
    equal(item.status, "UPDATED", "status after the update")
    headers, body = ctx["receiver"].wait_for(
        lambda b: b.get("event") == "item/updated" and b.get("itemId") == ctx["item"].id,
        "item/updated",
    )
    equal(headers.get("x-compat"), TAG, "custom webhook header")
    check(body.get("eventId"), "webhook payload has no eventId")


def step_mfa() -> None:
    created = items.items_create(
        CreateItem(
            connectorId=MFA_2STEP_CONNECTOR_ID, parameters=CreateItemParameters(CREDENTIALS)
        )
    )
    prompted = []

    def answer(waiting: Any) -> Any:
        check(waiting.parameter and waiting.parameter.name, "WAITING_USER_INPUT without parameter")
        prompted.append(waiting.parameter.name)
        return items.items_send_mfa(waiting.id, {waiting.parameter.name: MFA_VALUE})

    item = wait_for_item(created, answer)
    check(prompted, "the 2-step MFA connector never asked for input")
    equal(item.status, "UPDATED", "final status after MFA")
    items.items_delete(item.id)


def step_webhooks_crud() -> None:
    create_url = f"https://example.com/webhooks/{TAG}"
    update_url = f"https://example.com/webhooks/{TAG}-updated"
    created = create_webhook("item/updated", create_url)
    try:
        listed = webhooks.webhooks_list()
        listed_ids = [str(w.id) for w in listed.results]
        check(str(created.id) in listed_ids, "created webhook not listed")
        fetched = webhooks.webhooks_retrieve(created.id)
        equal(fetched.url, create_url, "url of the fetched webhook")
        updated = webhooks.webhooks_update(created.id, UpdateWebhook(url=update_url, event="all"))
        equal(updated.url, update_url, "url after update")
        equal(str(updated.event.value), "all", "event after update")
    finally:
        deleted = webhooks.webhooks_delete(created.id)
    equal(deleted.count, 1, "count of webhooks_delete")
    after = webhooks.webhooks_list()
    check(all(str(w.id) != str(created.id) for w in after.results), "deleted webhook still listed")


def admin(method: str, route: str, body: Any = None) -> Any:
    """Calls the emulator's `/__emulator` routes directly (no proxy); None when absent."""
    url = f"{configuration.host}/__emulator/{route}"
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("content-type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


def step_rate_limited() -> str | None:
    # Needs the emulator's /__emulator routes; against any other server this step is skipped.
    before = admin("GET", "stats")
    if before is None:
        return "skipped: no /__emulator routes"
    route = "GET /connectors/{id}"
    rule = {
        "method": "GET",
        "route": "/connectors/{id}",
        "status": 429,
        "retry_after": 1,
        "times": 1,
    }
    admin("POST", "faults", rule)
    try:
        t0 = time.monotonic()
        # urllib3, under the SDK, retries a 429 that carries Retry-After, after waiting it.
        connector = connectors.connector_retrieve(SANDBOX_CONNECTOR_ID)
        waited = time.monotonic() - t0
    finally:
        admin("DELETE", "faults")
    equal(connector.id, SANDBOX_CONNECTOR_ID, "connector id after the retry")
    check(waited >= 0.9, f"the SDK retried after {waited:.2f} s, before Retry-After")
    counts = admin("GET", "stats")["requests"].get(route, {})
    earlier = before["requests"].get(route, {})
    for status in ("429", "200"):
        equal(counts.get(status, 0) - earlier.get(status, 0), 1, f"{status} answers to {route}")
    return None


def step_errors() -> None:
    for what, call in (
        ("items_retrieve", lambda: items.items_retrieve(NON_EXISTENT_UUID)),
        ("accounts_retrieve", lambda: accounts.accounts_retrieve(NON_EXISTENT_UUID)),
        ("transactions_retrieve", lambda: transactions.transactions_retrieve(NON_EXISTENT_UUID)),
        ("connector_retrieve", lambda: connectors.connector_retrieve(99999999)),
    ):
        err = rejection(call)
        equal(err.status, 404, f"{what} status")
        body = json.loads(err.body)
        equal(body.get("code"), 404, f"{what} body code")
        check(body.get("message"), f"{what}: error body without a message")
    bad = rejection(
        lambda: items.items_create(
            CreateItem(
                connectorId=SANDBOX_CONNECTOR_ID, parameters=CreateItemParameters({"user": "x"})
            )
        )
    )
    equal(bad.status, 400, "status of an item with bad credentials")
    check(bad.data is not None, "the 400 body does not parse as ItemCreationErrorResponse")
    check(bad.data.details, "validation error without details")


def tester(path: str, body: dict[str, Any] | None = None) -> Any:
    """Calls one of the emulator's tester routes (the payer's side of a payment)."""
    url = f"{os.environ['PLUGGY_API_URL'].rstrip('/')}/__emulator/{path}"
    request = urllib.request.Request(
        url,
        data=json.dumps(body or {}).encode("utf-8"),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as err:
        raise CheckFailed(f"tester route {path} answered {err.code}: {err.read()!r}") from err


def step_payments() -> None:
    customer = payment_customers.payment_customer_create(
        CreatePaymentCustomerRequestBody(
            type="INDIVIDUAL", name="Compat Payer", email="payer@example.com", cpf=PAYER_CPF
        )
    )
    check(customer.id, "customer has no id")
    equal(payment_customers.payment_customer_retrieve(customer.id).cpf, PAYER_CPF, "customer cpf")
    institutions = payment_recipients.payment_recipients_institution_list(name="Nubank")
    check(institutions.results, "no payment institution named Nubank")
    institution_id = institutions.results[0].id
    recipient = payment_recipients.payment_recipient_create(
        CreatePaymentRecipient(
            taxNumber=RECIPIENT_CNPJ,
            name="Compat Store",
            paymentInstitutionId=institution_id,
            account=PaymentRecipientAccount(
                branch="0001", number="123456-7", type="CHECKING_ACCOUNT"
            ),
        )
    )
    equal(recipient.payment_institution.id, institution_id, "recipient's institution")
    listed = payment_recipients.payment_recipients_list()
    check(any(str(r.id) == str(recipient.id) for r in listed.results), "recipient not listed")

    request = payment_requests.payment_request_create(
        CreatePaymentRequest(
            amount=12.34, description=TAG, recipientId=recipient.id, customerId=customer.id
        )
    )
    equal(request.status, "CREATED", "status of a new payment request")
    equal(request.amount, 12.34, "amount of the payment request")
    check(request.id in request.payment_url, "paymentUrl does not name the request")
    intent = payment_intents.payment_intent_create(
        CreatePaymentIntent(
            paymentRequestId=request.id,
            connectorId=PAYMENT_CONNECTOR_ID,
            parameters=PaymentIntentParameter(cpf=PAYER_CPF),
        )
    )
    equal(intent.status, "STARTED", "status of a new intent")
    approved = tester(f"payments/intents/{intent.id}/authorize")
    equal(approved.get("status"), "CONSENT_AUTHORIZED", "intent after the payer's approval")

    deadline = time.monotonic() + 15
    settled = payment_requests.payment_request_retrieve(request.id)
    while settled.status != "COMPLETED":
        check(time.monotonic() < deadline, f"payment request still {settled.status} after 15 s")
        time.sleep(0.2)
        settled = payment_requests.payment_request_retrieve(request.id)
    listed = payment_intents.payment_intents_list(UUID(request.id))
    equal(len(listed.results), 1, "intents of the request")
    equal(listed.results[0].id, intent.id, "the listed intent")
    equal(listed.results[0].status, "PAYMENT_COMPLETED", "the listed intent's status")
    equal(
        payment_intents.payment_intent_retrieve(intent.id).status,
        "PAYMENT_COMPLETED",
        "the settled intent",
    )
    ctx["receiver"].wait_for(
        lambda b: b.get("event") == "payment_request/updated"
        and b.get("paymentRequestId") == request.id
        and (b.get("data") or {}).get("status") == "COMPLETED",
        "payment_request/updated COMPLETED",
    )
    ctx["receiver"].wait_for(
        lambda b: b.get("event") == "payment_intent/completed"
        and b.get("paymentIntentId") == intent.id,
        "payment_intent/completed",
    )
    missing = rejection(lambda: payment_requests.payment_request_retrieve(NON_EXISTENT_UUID))
    equal(missing.status, 404, "status of an unknown payment request")
    invalid = rejection(
        lambda: payment_customers.payment_customer_create(
            CreatePaymentCustomerRequestBody(type="INDIVIDUAL", name="X", cpf="12345678900")
        )
    )
    equal(invalid.status, 400, "status of a customer with an invalid CPF")
    payment_requests.payment_request_delete(request.id)
    payment_recipients.payment_recipient_delete(recipient.id)
    payment_customers.payment_customer_delete(customer.id)


def step_delete_item() -> None:
    deleted = items.items_delete(ctx["item"].id)
    equal(deleted.count, 1, "count of items_delete")
    equal(rejection(lambda: items.items_retrieve(ctx["item"].id)).status, 404, "deleted item")
    ctx["receiver"].wait_for(
        lambda b: b.get("event") == "item/deleted" and b.get("itemId") == ctx["item"].id,
        "item/deleted",
    )
    webhooks.webhooks_delete(ctx["local_webhook"].id)


STEPS: list[tuple[str, Callable[[], str | None]]] = [
    ("auth (auth_create)", step_auth),
    ("connect token (connect_token_create)", step_connect_token),
    ("connectors (connectors_list, connector_retrieve, connectors_validate)", step_connectors),
    ("webhook receiver (webhooks_create to a local URL)", step_webhook_receiver),
    ("create item and poll until UPDATED (items_create, items_retrieve)", step_create_item),
    ("accounts (accounts_list, accounts_retrieve)", step_accounts),
    (
        "transactions (transactions_list_by_cursor, transactions_list, transactions_retrieve)",
        step_transactions,
    ),
    ("transactions across cursor pages (user-ok-perf-30)", step_transactions_cursor_pages),
    ("identity (identity_find_by_item, identity_retrieve)", step_identity),
    (
        "investments (investments_list, investments_retrieve, investment_transactions_list)",
        step_investments,
    ),
    (
        "data products (bills_list/retrieve, account_balance_get, account_statements_list, "
        "loans_list/retrieve, categories_list/retrieve, transactions_update, "
        "client_category_rules_create/list/delete, merchants_get_by_cnpj)",
        step_products,
    ),
    ("Open Finance consents (consents_list, consent_retrieve)", step_consents),
    ("item update (items_update) and webhooks received for it", step_update_item),
    ("MFA 2-step (items_create on connector 3, items_send_mfa)", step_mfa),
    ("webhooks CRUD (webhooks_create/list/retrieve/update/delete)", step_webhooks_crud),
    ("429 with Retry-After is retried under the SDK (emulator fault rule)", step_rate_limited),
    ("error paths (unknown ids, bad credentials)", step_errors),
    (
        "payments (customer, recipient, request, intent approved by the payer, settled, "
        "intents listed)",
        step_payments,
    ),
    ("delete item (items_delete) and its webhook", step_delete_item),
]


def main() -> int:
    started = time.monotonic()
    failed = False
    for name, run in STEPS:
        t0 = time.monotonic()
        note = None
        try:
            note = run()
        except CheckFailed as err:
            print(f"FAIL {name}\n     {err}", flush=True)
            failed = True
        except Exception:  # noqa: BLE001 (any SDK error fails the step, with its trace)
            trace = traceback.format_exc().rstrip().replace("\n", "\n     ")
            print(f"FAIL {name}\n     {trace}", flush=True)
            failed = True
        if failed:
            break
        suffix = f", {note}" if note else ""
        print(f"ok   {name} ({(time.monotonic() - t0) * 1000:.0f} ms{suffix})", flush=True)
    if "receiver" in ctx:
        ctx["receiver"].close()
    version = pluggy_sdk.__version__
    if failed:
        fail(f"pluggy-sdk {version}: a step failed", 1)
    elapsed = (time.monotonic() - started) * 1000
    print(f"pluggy-sdk {version}: {len(STEPS)} steps passed in {elapsed:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
