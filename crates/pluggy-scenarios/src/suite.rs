//! The scenario suite, written once: [`scenario_suite!`](crate::scenario_suite) expands every
//! scenario for one driver, with `async` and `.await` or without them, on top of the driver's
//! kit.

/// Every scenario both drivers are held to, written once and expanded for one driver: one
/// test function per scenario, with its helpers, at the place of invocation.
///
/// `scenario_suite!(async #[attr])` writes each scenario and helper as an `async fn` with
/// `.await` after each client call; `scenario_suite!(blocking #[attr])` writes them as plain
/// functions. `#[attr]` is the test attribute each scenario gets.
///
/// The invoking module provides `mod kit` with what differs between the drivers; a driver
/// whose kit misses an item does not compile. In the async kit the functions are `async fn`.
///
/// - `Client`, `ClientBuilder`, `Clock` and `ManualClock`: the driver's types;
/// - `CALLERS: usize`: how many callers the single-flight scenarios release together;
/// - `concurrently(n, &Client, call) -> Vec<Result<T, Error>>`: runs `call` (a
///   `fn(Client) -> Result<T, Error>`, or a future of it) on `n` clones of the client at once,
///   tasks or threads released together, and returns each answer; a caller that panics fails
///   the test;
/// - `collect(pages) -> Result<Vec<T>, Error>`: reads a pager (stream or iterator) to its end,
///   stopping at the first error;
/// - `reply(answer)`: what an MFA hook returns for `answer` (a ready future, or the answer);
/// - `within(limit, Client, call) -> Option<Result<T, Error>>`: `call` on the client, or
///   `None` if it has not answered within `limit`;
/// - `abandon_a_refresh(&Emulator, ClientBuilder) -> Client`: builds the client and makes its
///   first API-key refresh stop half-way, its caller gone (a dropped future, a thread that
///   panicked), checking that the caller did not get an answer.
///
/// ```text
/// // pluggy-async/tests/scenarios.rs
/// pluggy_scenarios::scenario_suite!(async #[tokio::test(flavor = "multi_thread")]);
/// mod kit { pub use pluggy_async::{Client, ClientBuilder}; /* … */ }
///
/// // pluggy-blocking/tests/scenarios.rs
/// pluggy_scenarios::scenario_suite!(blocking #[test]);
/// mod kit { pub use pluggy_blocking::{Client, ClientBuilder}; /* … */ }
/// ```
#[macro_export]
macro_rules! scenario_suite {
    (async #[$test:meta]) => {
        $crate::__scenario_suite!([#[$test]] [async] [.await]);
    };
    (blocking #[$test:meta]) => {
        $crate::__scenario_suite!([#[$test]] [] []);
    };
}

/// The body of [`scenario_suite!`](crate::scenario_suite): the test attribute, the `async`
/// before each function (or nothing) and the `.await` after each call (or nothing).
#[doc(hidden)]
#[macro_export]
macro_rules! __scenario_suite {
    ([$($test:tt)*] [$($as:tt)*] [$($aw:tt)*]) => {
        use std::sync::Arc;
        use std::time::{Duration, Instant};

        use $crate::__private::pluggy_core::models::{
            ConnectTokenOptions, ConnectTokenRequest, Connector, ConnectorFilters,
            CreateItemRequest, CreateWebhook, CursorTransactionFilters, InvestmentFilters, Item,
            TransactionFilters, UpdateItemRequest, UpdateWebhook,
        };
        use $crate::__private::pluggy_core::{
            ApiKey, Call, ClientSecret, Error, IntoCall, ItemId, ItemStatus, Now, Product,
            ScopeError, TransportErrorKind, WebhookEvent, calls, endpoints,
        };
        use $crate::__private::serde_json;
        use $crate::sandbox::{
            self, CLIENT_USER_ID, CONNECTOR, INTO_SOFT_WINDOW, MFA_CONNECTOR, PAST_KEY_EXPIRY,
            fast_retry, fast_wait,
        };
        use $crate::{Emulator, Fault, RedirectServer, WebhookReceiver, assert_no_secret, expect};

        /// A builder pointed at the emulator with its client credentials and fast retries.
        fn builder(emu: &Emulator) -> kit::ClientBuilder {
            kit::Client::builder()
                .base_url(emu.base_url())
                .credentials(emu.client_id(), ClientSecret::new(emu.client_secret()))
                .retry_policy(fast_retry())
        }

        fn client(emu: &Emulator) -> kit::Client {
            builder(emu).build().expect("client")
        }

        /// A clock on the real wall time that moves only when told.
        fn manual_clock() -> Arc<kit::ManualClock> {
            let unix = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("after 1970")
                .as_secs() as i64;
            Arc::new(kit::ManualClock::new(Now::new(Duration::ZERO, unix)))
        }

        fn token_request(webhook_url: Option<&str>) -> ConnectTokenRequest {
            ConnectTokenRequest {
                options: Some(ConnectTokenOptions {
                    client_user_id: Some(CLIENT_USER_ID.into()),
                    webhook_url: webhook_url.map(str::to_owned),
                    ..Default::default()
                }),
                ..Default::default()
            }
        }

        $($as)* fn synced_item(c: &kit::Client, user: &str) -> Item {
            let item = c
                .create_item(&sandbox::create_item_as(CONNECTOR, user))
                $($aw)*
                .unwrap();
            let item = c
                .wait_for_item(&item.id, fast_wait(), |_| {})
                $($aw)*
                .unwrap();
            expect::synced(&item);
            item
        }

        /// The sandbox connector, fetched by a caller holding a client of its own.
        $($as)* fn get_connector(c: kit::Client) -> Result<Connector, Error> {
            c.get_connector(CONNECTOR) $($aw)*
        }

        // `GET /transactions` is deprecated, but served until Pluggy retires it: still tested.
        #[allow(deprecated)]
        $($test)* $($as)* fn every_api_key_call() {
            let emu = Emulator::start();
            let c = client(&emu);

            let connectors = c
                .list_connectors(&ConnectorFilters {
                    sandbox: Some(true),
                    ..Default::default()
                })
                $($aw)*
                .unwrap();
            assert!(connectors.results.iter().any(|k| k.id == CONNECTOR));
            assert_eq!(c.get_connector(CONNECTOR) $($aw)*.unwrap().id, CONNECTOR);
            assert!(
                c.validate_connector(CONNECTOR, &sandbox::credentials())
                    $($aw)*
                    .unwrap()
                    .is_valid()
            );

            let item = synced_item(&c, sandbox::USER_MANY_TRANSACTIONS) $($aw)*;
            assert_eq!(c.get_item(&item.id) $($aw)*.unwrap().id, item.id);
            let update = UpdateItemRequest {
                client_user_id: Some("user-43".into()),
                ..Default::default()
            };
            let updated = c.update_item(&item.id, &update) $($aw)*.unwrap();
            assert_eq!(updated.client_user_id, Some("user-43".into()));
            expect::synced(
                &c.wait_for_item(&item.id, fast_wait(), |_| {})
                    $($aw)*
                    .unwrap(),
            );
            c.disable_auto_sync(&item.id) $($aw)*.unwrap();

            // Connect token with every option, for an update of this item.
            let grant = c
                .create_connect_token(&ConnectTokenRequest {
                    item_id: Some(item.id.clone()),
                    options: Some(ConnectTokenOptions {
                        client_user_id: Some(CLIENT_USER_ID.into()),
                        webhook_url: Some("https://example.com/hook".into()),
                        oauth_redirect_uri: Some("https://example.com/back".into()),
                        avoid_duplicates: Some(true),
                        products: Some(vec![Product::Accounts, Product::Transactions]),
                    }),
                })
                $($aw)*
                .unwrap();
            assert_eq!(grant.issued_for(), Some(&item.id));
            assert_eq!(
                c.connect_client(grant).get_item(&item.id) $($aw)*.unwrap().id,
                item.id
            );

            let accounts = c.list_accounts(&item.id, None) $($aw)*.unwrap();
            let account = accounts.results.first().expect("an account").clone();
            assert_eq!(c.get_account(&account.id) $($aw)*.unwrap().id, account.id);

            let page = c
                .list_transactions(&account.id, &TransactionFilters::default())
                $($aw)*
                .unwrap();
            let first = page.results.first().expect("a transaction");
            assert_eq!(c.get_transaction(&first.id) $($aw)*.unwrap().id, first.id);
            let no_filter = CursorTransactionFilters::default();
            let cursor = c
                .list_transactions_cursor(&account.id, &no_filter)
                $($aw)*
                .unwrap();
            assert!(!cursor.results.is_empty());
            let next = cursor.next.expect("more than one cursor page");
            let second = c.next_transactions_page(&next) $($aw)*.unwrap();
            assert!(!second.results.is_empty());
            assert_ne!(second.results[0].id, cursor.results[0].id);
            let all = kit::collect(c.transactions(&account.id, &no_filter))
                $($aw)*
                .unwrap();
            assert_eq!(all.len() as u64, page.total);

            let identity = c.get_identity_by_item(&item.id) $($aw)*.unwrap();
            assert_eq!(c.get_identity(&identity.id) $($aw)*.unwrap().id, identity.id);
            let investments = c
                .list_investments(&item.id, &InvestmentFilters::default())
                $($aw)*
                .unwrap();
            let investment = investments.results.first().expect("an investment");
            assert_eq!(
                c.get_investment(&investment.id) $($aw)*.unwrap().id,
                investment.id
            );
            c.list_investment_transactions(&investment.id, Some(1), Some(5))
                $($aw)*
                .unwrap();

            let hook = c
                .create_webhook(&CreateWebhook {
                    url: "https://example.com/hooks".into(),
                    event: WebhookEvent::ItemUpdated,
                    headers: None,
                })
                $($aw)*
                .unwrap();
            assert!(
                c.list_webhooks()
                    $($aw)*
                    .unwrap()
                    .results
                    .iter()
                    .any(|w| w.id == hook.id)
            );
            assert_eq!(c.get_webhook(&hook.id) $($aw)*.unwrap().url, hook.url);
            let moved = c
                .update_webhook(
                    &hook.id,
                    &UpdateWebhook {
                        url: Some("https://example.com/other".into()),
                        ..Default::default()
                    },
                )
                $($aw)*
                .unwrap();
            assert_eq!(moved.url, "https://example.com/other");
            c.delete_webhook(&hook.id) $($aw)*.unwrap();
            assert_eq!(
                c.get_webhook(&hook.id) $($aw)*.unwrap_err().status(),
                Some(404)
            );

            // MFA answered by hand with send_mfa.
            let mfa = c
                .create_item(&sandbox::create_item(MFA_CONNECTOR))
                $($aw)*
                .unwrap();
            let waiting = c.wait_for_item(&mfa.id, fast_wait(), |_| {}) $($aw)*.unwrap();
            assert_eq!(waiting.status, ItemStatus::WaitingUserInput);
            c.send_mfa(&mfa.id, &sandbox::mfa_answer()) $($aw)*.unwrap();
            expect::synced(&c.wait_for_item(&mfa.id, fast_wait(), |_| {}) $($aw)*.unwrap());

            // The escape hatch: any call, answered raw.
            let raw = c.raw(calls::get_item(&item.id)) $($aw)*.unwrap();
            assert_eq!(raw.status(), 200);
            let body: serde_json::Value = serde_json::from_slice(raw.body()).unwrap();
            assert_eq!(body["id"], item.id.as_str());

            assert_eq!(c.delete_item(&item.id) $($aw)*.unwrap().count, 1);
            assert_eq!(c.get_item(&item.id) $($aw)*.unwrap_err().status(), Some(404));
            // One key served every call.
            assert_eq!(emu.stats().auth_calls(), 1);
        }

        $($test)* $($as)* fn every_data_product() {
            use $crate::__private::pluggy_core::models::{
                AccountType, CategoryFilters, CreateCategoryRule,
            };
            let emu = Emulator::start();
            let c = client(&emu);
            let item = synced_item(&c, sandbox::USER_MANY_TRANSACTIONS) $($aw)*;
            let accounts = c.list_accounts(&item.id, None) $($aw)*.unwrap().results;
            let bank = accounts
                .iter()
                .find(|a| a.kind == AccountType::Bank)
                .expect("a bank account");
            let card = accounts
                .iter()
                .find(|a| a.kind == AccountType::Credit)
                .expect("a credit-card account");

            // The real-time balance agrees with the account; statements are listed.
            let balance = c.get_account_balance(&bank.id) $($aw)*.unwrap();
            assert_eq!(balance.balance, bank.balance);
            assert_eq!(balance.currency_code, bank.currency_code);
            let statements = kit::collect(c.account_statements(&bank.id)) $($aw)*.unwrap();
            assert!(!statements.is_empty(), "statements of {}", bank.id);

            // Bills, each with the transactions whose billId names it.
            let billed = c.bills_with_transactions(&card.id) $($aw)*.unwrap();
            assert!(!billed.bills.is_empty(), "bills of {}", card.id);
            assert!(billed.bills.iter().any(|b| !b.transactions.is_empty()));
            for group in &billed.bills {
                assert!(group.transactions.iter().all(|t| t.bill_id() == Some(&group.bill.id)));
                assert_eq!(c.get_bill(&group.bill.id) $($aw)*.unwrap().id, group.bill.id);
            }
            assert!(billed.unbilled.iter().all(|t| t.bill_id().is_none()));
            let all_bills = kit::collect(c.bills(&card.id)) $($aw)*.unwrap();
            assert_eq!(all_bills.len(), billed.bills.len());

            // The category tree, which the transactions' categories belong to.
            let categories = kit::collect(c.categories(&CategoryFilters::default()))
                $($aw)*
                .unwrap();
            let ids: std::collections::HashSet<_> = categories.iter().map(|k| k.id.clone()).collect();
            assert!(categories.iter().all(|k| k.parent_id.as_ref().is_none_or(|p| ids.contains(p))));
            let transactions = kit::collect(c.transactions(&bank.id, &CursorTransactionFilters::default()))
                $($aw)*
                .unwrap();
            assert!(
                transactions
                    .iter()
                    .filter_map(|t| t.category_id.as_ref())
                    .all(|id| ids.contains(id))
            );
            let root = categories.iter().find(|k| k.parent_id.is_none()).expect("a root");
            let children = c
                .list_categories(&CategoryFilters { parent_id: Some(root.id.clone()) })
                $($aw)*
                .unwrap();
            assert!(children.results.iter().all(|k| k.parent_id.as_ref() == Some(&root.id)));
            assert_eq!(c.get_category(&root.id) $($aw)*.unwrap().id, root.id);

            // Setting a transaction's category changes what later reads return.
            let first = transactions.first().expect("a transaction");
            let other = categories
                .iter()
                .find(|k| Some(&k.id) != first.category_id.as_ref())
                .expect("another category");
            let patched = c
                .update_transaction_category(&first.id, &other.id)
                $($aw)*
                .unwrap();
            assert_eq!(patched.category_id.as_ref(), Some(&other.id));
            let read = c.get_transaction(&first.id) $($aw)*.unwrap();
            assert_eq!(read.category_id.as_ref(), Some(&other.id));

            // Category rules: created, listed, deleted.
            let rule = c
                .create_category_rule(&CreateCategoryRule::new("EMULATOR RULE", other.id.clone()))
                $($aw)*
                .unwrap();
            let rule_id = rule.id.clone().expect("a created rule has an id");
            let rules = kit::collect(c.category_rules()) $($aw)*.unwrap();
            assert!(rules.iter().any(|r| r.id.as_ref() == Some(&rule_id)));
            c.delete_category_rule(&rule_id) $($aw)*.unwrap();
            let rules = kit::collect(c.category_rules()) $($aw)*.unwrap();
            assert!(rules.iter().all(|r| r.id.as_ref() != Some(&rule_id)));

            // Loans of a connector that offers them.
            let loans = kit::collect(c.loans(&item.id)) $($aw)*.unwrap();
            let loan = loans.first().expect("a loan");
            assert_eq!(loan.item_id, item.id);
            assert_eq!(c.get_loan(&loan.id) $($aw)*.unwrap().id, loan.id);

            // Consents of an Open Finance item.
            let open_finance = c
                .create_item(&sandbox::create_item(sandbox::OPEN_FINANCE_CONNECTOR))
                $($aw)*
                .unwrap();
            c.wait_for_item(&open_finance.id, fast_wait(), |_| {}) $($aw)*.unwrap();
            let consents = kit::collect(c.consents(&open_finance.id)) $($aw)*.unwrap();
            let consent = consents.first().expect("a consent");
            assert_eq!(consent.item_id, open_finance.id);
            assert_eq!(c.get_consent(&consent.id) $($aw)*.unwrap().id, consent.id);
            assert!(kit::collect(c.consents(&item.id)) $($aw)*.unwrap().is_empty());

            // Merchants by the CNPJs the transactions carry.
            let cnpj = transactions
                .iter()
                .find_map(|t| t.merchant.as_ref().and_then(|m| m.cnpj.clone()))
                .expect("a transaction with a merchant");
            let lookup = c
                .find_merchants(&[cnpj.clone(), "11111111111111".to_owned()])
                $($aw)*
                .unwrap();
            assert!(lookup.find(&cnpj).is_some(), "{cnpj}: {lookup:?}");
            assert_eq!(lookup.invalid_cnpjs, ["11111111111111"]);

            // None of it is open to a connect token.
            let front = c.connect_client(
                c.create_connect_token(&ConnectTokenRequest::default()) $($aw)*.unwrap(),
            );
            for call in [
                calls::list_bills(&card.id).into_call(),
                calls::get_account_balance(&bank.id).into_call(),
                calls::list_loans(&item.id).into_call(),
                calls::list_categories(&CategoryFilters::default()).into_call(),
            ] {
                let e = front.raw(call) $($aw)*.unwrap_err();
                assert!(matches!(e, Error::Scope(ScopeError::ApiKeyRequired { .. })), "{e:?}");
            }
        }

        $($test)* $($as)* fn every_connect_token_call() {
            let emu = Emulator::start();
            let backend = client(&emu);
            let grant = backend
                .create_connect_token(&token_request(None))
                $($aw)*
                .unwrap();
            let front = kit::Client::builder()
                .base_url(emu.base_url())
                .retry_policy(fast_retry())
                .build_connect(grant.token().clone())
                .unwrap();
            let sandboxes = ConnectorFilters {
                sandbox: Some(true),
                ..Default::default()
            };
            assert!(
                front
                    .list_connectors(&sandboxes)
                    $($aw)*
                    .unwrap()
                    .results
                    .iter()
                    .any(|k| k.id == CONNECTOR)
            );
            assert_eq!(front.get_connector(CONNECTOR) $($aw)*.unwrap().id, CONNECTOR);
            assert!(
                front
                    .validate_connector(CONNECTOR, &sandbox::credentials())
                    $($aw)*
                    .unwrap()
                    .is_valid()
            );
            let item = front
                .create_item(&sandbox::create_item(CONNECTOR))
                $($aw)*
                .unwrap();
            assert_eq!(front.grant().scope_items(), std::slice::from_ref(&item.id));
            let item = front
                .wait_for_item(&item.id, fast_wait(), |_| {})
                $($aw)*
                .unwrap();
            expect::synced(&item);
            assert_eq!(front.get_item(&item.id) $($aw)*.unwrap().id, item.id);
            front
                .update_item(&item.id, &UpdateItemRequest::default())
                $($aw)*
                .unwrap();
            expect::synced(
                &front
                    .wait_for_item(&item.id, fast_wait(), |_| {})
                    $($aw)*
                    .unwrap(),
            );
            let accounts = front.list_accounts(&item.id) $($aw)*.unwrap();
            assert!(!accounts.results.is_empty());
            expect::reduced_accounts(
                &front
                    .raw(calls::list_accounts(&item.id, None))
                    $($aw)*
                    .unwrap(),
            );
            let raw = front.raw(calls::get_item(&item.id)) $($aw)*.unwrap();
            assert_eq!(raw.status(), 200);

            // MFA on an item this token created, answered by hand.
            let mfa = front
                .create_item(&sandbox::create_item(MFA_CONNECTOR))
                $($aw)*
                .unwrap();
            let waiting = front
                .wait_for_item(&mfa.id, fast_wait(), |_| {})
                $($aw)*
                .unwrap();
            assert_eq!(waiting.status, ItemStatus::WaitingUserInput);
            front
                .send_mfa(&mfa.id, &sandbox::mfa_answer())
                $($aw)*
                .unwrap();
        }

        // `GET /transactions` is deprecated, but served until Pluggy retires it: still tested.
        #[allow(deprecated)]
        $($test)* $($as)* fn documented_flow() {
            let emu = Emulator::start();
            let receiver = WebhookReceiver::start();
            // Backend: client credentials → API key → a connect token for one user.
            let backend = client(&emu);
            let grant = backend
                .create_connect_token(&token_request(Some(receiver.url())))
                $($aw)*
                .unwrap();
            // Front end: the connect token only.
            let front = backend.connect_client(grant);
            let created = front
                .create_item(&sandbox::create_item(CONNECTOR))
                $($aw)*
                .unwrap();
            let mut seen = Vec::new();
            let item = front
                .wait_for_item(&created.id, fast_wait(), |i| seen.push(i.status.clone()))
                $($aw)*
                .unwrap();
            expect::synced(&item);
            assert_eq!(seen.last(), Some(&ItemStatus::Updated));
            assert_eq!(item.client_user_id, Some(CLIENT_USER_ID.into()));
            let accounts = front.list_accounts(&item.id) $($aw)*.unwrap();
            expect::reduced_accounts(
                &front
                    .raw(calls::list_accounts(&item.id, None))
                    $($aw)*
                    .unwrap(),
            );
            // Backend again: every transaction, through the cursor and through the pages.
            for account in &accounts.results {
                let pages = backend.transactions(&account.id, &CursorTransactionFilters::default());
                let cursor = kit::collect(pages) $($aw)*.unwrap();
                let mut paged = Vec::new();
                let mut page_number = 1;
                loop {
                    let page = backend
                        .list_transactions(
                            &account.id,
                            &TransactionFilters {
                                page: Some(page_number),
                                page_size: Some(7),
                                ..Default::default()
                            },
                        )
                        $($aw)*
                        .unwrap();
                    paged.extend(page.results);
                    if page_number >= page.total_pages {
                        assert_eq!(paged.len() as u64, page.total);
                        break;
                    }
                    page_number += 1;
                }
                assert!(!cursor.is_empty());
                assert_eq!(cursor.len(), paged.len());
                assert!(cursor.iter().all(|t| t.account_id == account.id));
            }
            let hook = receiver
                .wait_for(Duration::from_secs(10), |b| {
                    expect::is_about(b, item.id.as_str())
                })
                .expect("a webhook about the item");
            expect::webhook_for(&hook, item.id.as_str());
            // One API key served the backend throughout.
            assert_eq!(emu.stats().auth_calls(), 1);
        }

        $($test)* $($as)* fn mfa_two_steps_through_the_hook() {
            let emu = Emulator::start();
            let backend = client(&emu);
            let front = backend.connect_client(
                backend
                    .create_connect_token(&token_request(None))
                    $($aw)*
                    .unwrap(),
            );
            let item = front
                .create_item(&sandbox::create_item(MFA_CONNECTOR))
                $($aw)*
                .unwrap();
            let mut prompts = Vec::new();
            let item = front
                .wait_for_item_with_mfa(
                    &item.id,
                    fast_wait(),
                    |_| {},
                    |prompt| {
                        prompts.push(prompt.map(|p| p.name));
                        kit::reply(Some(sandbox::mfa_answer()))
                    },
                )
                $($aw)*
                .unwrap();
            expect::synced(&item);
            // Two steps: the credentials, then the token the hook gave.
            assert_eq!(prompts, vec![Some("token".to_owned())]);
            // A hook that declines stops the wait at the prompt.
            let other = front
                .create_item(&sandbox::create_item(MFA_CONNECTOR))
                $($aw)*
                .unwrap();
            let stopped = front
                .wait_for_item_with_mfa(&other.id, fast_wait(), |_| {}, |_| kit::reply(None))
                $($aw)*
                .unwrap();
            assert_eq!(stopped.status, ItemStatus::WaitingUserInput);
        }

        $($test)* $($as)* fn wait_deadline_is_a_typed_error() {
            let emu = Emulator::start_with(pluggy_scenarios::slow_sync_config());
            let c = client(&emu);
            let item = c
                .create_item(&sandbox::create_item(CONNECTOR))
                $($aw)*
                .unwrap();
            let mut looks = 0;
            let e = c
                .wait_for_item(&item.id, sandbox::short_wait(), |i| {
                    assert_eq!(i.status, ItemStatus::Updating);
                    looks += 1;
                })
                $($aw)*
                .unwrap_err();
            assert!(matches!(e, Error::DeadlineExceeded(_)), "{e:?}");
            assert!(looks >= 2, "the item was looked at {looks} times");
        }

        // `GET /transactions` is deprecated, but served until Pluggy retires it: still tested.
        #[allow(deprecated)]
        $($test)* $($as)* fn scope_refusals_send_nothing() {
            let emu = Emulator::start();
            let backend = client(&emu);
            let other = synced_item(&backend, sandbox::USER_OK) $($aw)*;
            let front = backend.connect_client(
                backend
                    .create_connect_token(&token_request(None))
                    $($aw)*
                    .unwrap(),
            );
            let mine = front
                .create_item(&sandbox::create_item(CONNECTOR))
                $($aw)*
                .unwrap();
            let before = emu.stats();
            let out_of_scope = |e: Error| {
                assert!(
                    matches!(e, Error::Scope(ScopeError::ItemOutOfScope { .. })),
                    "{e:?}"
                )
            };
            out_of_scope(front.get_item(&other.id) $($aw)*.unwrap_err());
            out_of_scope(front.list_accounts(&other.id) $($aw)*.unwrap_err());
            out_of_scope(
                front
                    .update_item(&other.id, &UpdateItemRequest::default())
                    $($aw)*
                    .unwrap_err(),
            );
            out_of_scope(
                front
                    .send_mfa(&other.id, &sandbox::mfa_answer())
                    $($aw)*
                    .unwrap_err(),
            );
            out_of_scope(
                front
                    .wait_for_item(&other.id, fast_wait(), |_| {})
                    $($aw)*
                    .unwrap_err(),
            );
            for call in [
                calls::list_transactions(&"acc".into(), &TransactionFilters::default()).into_call(),
                calls::get_identity_by_item(&mine.id).into_call(),
                calls::list_webhooks().into_call(),
                calls::delete_item(&mine.id).into_call(),
            ] {
                let e = front.raw(call) $($aw)*.unwrap_err();
                assert!(
                    matches!(e, Error::Scope(ScopeError::ApiKeyRequired { .. })),
                    "{e:?}"
                );
            }
            let e = front
                .raw(Call::new(&endpoints::ACCOUNTS_LIST))
                $($aw)*
                .unwrap_err();
            assert!(
                matches!(e, Error::Scope(ScopeError::ItemRequired { .. })),
                "{e:?}"
            );
            backend
                .raw(calls::create_connect_token(&ConnectTokenRequest::default()))
                $($aw)*
                .expect("an API key may mint connect tokens");
            let after_token = emu.stats();
            let e = backend
                .raw(Call::new(&endpoints::AUTH_CREATE))
                $($aw)*
                .unwrap_err();
            assert!(
                matches!(e, Error::Scope(ScopeError::NoCredentialAllowed { .. })),
                "{e:?}"
            );
            expect::nothing_sent(&after_token, &emu.stats());
            assert_eq!(after_token.total(), before.total() + 1);
        }

        $($test)* $($as)* fn single_flight_first_key() {
            let emu = Emulator::start();
            let c = client(&emu);
            for answer in kit::concurrently(kit::CALLERS, &c, get_connector) $($aw)* {
                answer.expect("the call succeeds");
            }
            assert_eq!(emu.stats().auth_calls(), 1);
        }

        $($test)* $($as)* fn single_flight_at_expiry() {
            let emu = Emulator::start();
            let clock = manual_clock();
            let c = builder(&emu)
                .shared_clock(clock.clone() as Arc<dyn kit::Clock>)
                .build()
                .unwrap();
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            let before = emu.stats();
            // Both clocks past the key's expiry: every caller needs a new key.
            clock.advance(PAST_KEY_EXPIRY);
            emu.advance_clock(PAST_KEY_EXPIRY);
            for answer in kit::concurrently(kit::CALLERS, &c, get_connector) $($aw)* {
                answer.expect("the call succeeds");
            }
            let after = emu.stats();
            expect::auth_calls(&before, &after, 1);
            assert_eq!(after.requests("GET /connectors/{id}", 403), 0);
        }

        $($test)* $($as)* fn expired_key_403_refreshes_once() {
            let emu = Emulator::start();
            let c = client(&emu);
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            // The server's clock passes the key's expiry; the client still believes it valid.
            emu.advance_clock(PAST_KEY_EXPIRY);
            let before = emu.stats();
            assert_eq!(c.get_connector(CONNECTOR) $($aw)*.unwrap().id, CONNECTOR);
            expect::refreshed_on_403(&before, &emu.stats(), "GET /connectors/{id}");
        }

        $($test)* $($as)* fn soft_refresh_does_not_delay_callers() {
            let emu = Emulator::start();
            let clock = manual_clock();
            let c = builder(&emu)
                .shared_clock(clock.clone() as Arc<dyn kit::Clock>)
                .build()
                .unwrap();
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            // The key enters its last minutes; the refresh it triggers is slow.
            clock.advance(INTO_SOFT_WINDOW);
            emu.fault(
                Fault::on("POST", "/auth")
                    .delay(Duration::from_secs(2))
                    .times(1),
            );
            let started = Instant::now();
            for _ in 0..5 {
                assert_eq!(c.get_connector(CONNECTOR) $($aw)*.unwrap().id, CONNECTOR);
            }
            assert!(
                started.elapsed() < Duration::from_millis(1500),
                "callers waited for the refresh: {:?}",
                started.elapsed()
            );
            // One refresh, in the background, lands a new key.
            let stats = emu.wait_for_stats(Duration::from_secs(10), |s| {
                s.requests("POST /auth", 200) == 2
            });
            assert_eq!(stats.auth_calls(), 2);
            assert_eq!(stats.requests("GET /connectors/{id}", 200), 6);
        }

        $($test)* $($as)* fn failed_soft_refresh_keeps_the_valid_key() {
            let emu = Emulator::start();
            let clock = manual_clock();
            let c = builder(&emu)
                .shared_clock(clock.clone() as Arc<dyn kit::Clock>)
                .build()
                .unwrap();
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            clock.advance(INTO_SOFT_WINDOW);
            emu.fault(Fault::on("POST", "/auth").status(503));
            let before = emu.stats();
            for _ in 0..3 {
                assert_eq!(c.get_connector(CONNECTOR) $($aw)*.unwrap().id, CONNECTOR);
            }
            // The refresh failed (in the background) and the valid key kept serving.
            let after = emu.wait_for_stats(Duration::from_secs(5), |s| {
                s.requests("POST /auth", 503) >= 1
            });
            assert_eq!(
                after.requests("GET /connectors/{id}", 200)
                    - before.requests("GET /connectors/{id}", 200),
                3
            );
        }

        $($test)* $($as)* fn server_errors_retried_for_reads() {
            let emu = Emulator::start();
            let c = client(&emu);
            emu.fault(Fault::on("GET", "/connectors").status(503).times(1));
            c.list_connectors(&ConnectorFilters::default())
                $($aw)*
                .unwrap();
            expect::retried_once(&emu.stats(), "GET /connectors", 503);
        }

        $($test)* $($as)* fn rate_limit_retry_after_honoured() {
            let emu = Emulator::start();
            let c = client(&emu);
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            emu.fault(
                Fault::on("GET", "/connectors")
                    .status(429)
                    .retry_after(1)
                    .times(1),
            );
            let started = Instant::now();
            c.list_connectors(&ConnectorFilters::default())
                $($aw)*
                .unwrap();
            assert!(started.elapsed() >= Duration::from_secs(1));
            expect::retried_once(&emu.stats(), "GET /connectors", 429);
        }

        $($test)* $($as)* fn dropped_connections_retried_for_reads() {
            let emu = Emulator::start();
            let c = client(&emu);
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            emu.fault(Fault::on("GET", "/connectors").drop_connection().times(1));
            c.list_connectors(&ConnectorFilters::default())
                $($aw)*
                .unwrap();
            expect::retried_after_drop(&emu.stats(), "GET /connectors");
        }

        $($test)* $($as)* fn slow_answers_time_out() {
            let emu = Emulator::start();
            let c = builder(&emu)
                .timeouts(Duration::from_secs(2), Duration::from_millis(200))
                .build()
                .unwrap();
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            emu.fault(Fault::on("GET", "/connectors").delay(Duration::from_secs(2)));
            let started = Instant::now();
            let e = c
                .list_connectors(&ConnectorFilters::default())
                $($aw)*
                .unwrap_err();
            match &e {
                Error::Transport { source, .. } => {
                    assert_eq!(source.kind, TransportErrorKind::Timeout)
                }
                other => panic!("expected a timeout, got {other:?}"),
            }
            assert!(started.elapsed() < Duration::from_secs(2), "{e}");
        }

        $($test)* $($as)* fn redirects_not_followed() {
            let server = RedirectServer::start();
            let c = kit::Client::builder()
                .base_url(server.url())
                .api_key(ApiKey::new("static-key"))
                .retry_policy(fast_retry())
                .build()
                .unwrap();
            let e = c
                .list_connectors(&ConnectorFilters::default())
                $($aw)*
                .unwrap_err();
            assert_eq!(e.status(), Some(302), "{e:?}");
            assert_eq!(server.hits(), 1, "the redirect was not followed");
        }

        $($test)* $($as)* fn create_item_once_under_server_error() {
            let emu = Emulator::start();
            let c = client(&emu);
            emu.fault(Fault::on("POST", "/items").status(503));
            let e = c
                .create_item(&sandbox::create_item(CONNECTOR))
                $($aw)*
                .unwrap_err();
            assert_eq!(e.status(), Some(503), "{e:?}");
            expect::create_item_sent_once(&emu.stats(), 503);
        }

        $($test)* $($as)* fn create_item_once_under_dropped_connection() {
            let emu = Emulator::start();
            let c = client(&emu);
            c.get_connector(CONNECTOR) $($aw)*.unwrap();
            emu.fault(Fault::on("POST", "/items").drop_connection());
            let e = c
                .create_item(&sandbox::create_item(CONNECTOR))
                $($aw)*
                .unwrap_err();
            assert!(matches!(e, Error::Transport { .. }), "{e:?}");
            expect::create_item_dropped_once(&emu.stats());
        }

        $($test)* $($as)* fn every_payments_operation() {
            use $crate::__private::pluggy_core::models::{
                CreatePaymentCustomer, CreatePaymentIntent, CreatePaymentRecipient,
                CreatePaymentRequest, CreateSmartTransferPreauthorization,
                PaymentCustomerFilters, PaymentInstitutionFilters, PaymentIntentParameters,
                PaymentRecipientAccount, PaymentRecipientFilters, PaymentRequestFilters,
                SmartTransferPreauthorizationParameters, UpdatePaymentCustomer,
                UpdatePaymentRequest,
            };
            let emu = Emulator::start();
            let c = client(&emu);
            let amount = "123.45".parse().expect("a decimal");

            // The payer.
            let customer = c
                .create_payment_customer(&CreatePaymentCustomer::individual("Ana Silva", "52998224725"))
                $($aw)*
                .unwrap();
            assert_eq!(c.get_payment_customer(&customer.id) $($aw)*.unwrap().id, customer.id);
            let renamed = c
                .update_payment_customer(
                    &customer.id,
                    &UpdatePaymentCustomer { name: Some("Ana S. Silva".into()), ..Default::default() },
                )
                $($aw)*
                .unwrap();
            assert_eq!(renamed.name, "Ana S. Silva");
            let customers = kit::collect(c.payment_customers(&PaymentCustomerFilters::default()))
                $($aw)*
                .unwrap();
            assert!(customers.iter().any(|k| k.id == customer.id));

            // The account that receives, at an institution of the list.
            let institutions = kit::collect(c.payment_institutions(&PaymentInstitutionFilters::default()))
                $($aw)*
                .unwrap();
            let institution = institutions.first().expect("an institution");
            assert_eq!(
                c.get_payment_institution(&institution.id) $($aw)*.unwrap().id,
                institution.id
            );
            let recipient = c
                .create_payment_recipient(&CreatePaymentRecipient::new(
                    "11222333000181",
                    "Loja Exemplo Ltda",
                    institution.id.clone(),
                    PaymentRecipientAccount::checking("0001", "12345-6"),
                ))
                $($aw)*
                .unwrap();
            assert_eq!(c.get_payment_recipient(&recipient.id) $($aw)*.unwrap().id, recipient.id);
            let recipients = kit::collect(c.payment_recipients(&PaymentRecipientFilters::default()))
                $($aw)*
                .unwrap();
            assert!(recipients.iter().any(|r| r.id == recipient.id));

            // A payment request, its page and an intent at a bank that initiates payments.
            let request = c
                .create_payment_request(
                    &CreatePaymentRequest::new(amount)
                        .with_description("Pedido 42")
                        .with_recipient(recipient.id.clone())
                        .with_customer(customer.id.clone()),
                )
                $($aw)*
                .unwrap();
            assert_eq!(request.amount, Some(amount));
            assert!(request.payment_url.starts_with(emu.base_url()), "{request:?}");
            assert!(!request.status.is_final());
            let described = c
                .update_payment_request(
                    &request.id,
                    &UpdatePaymentRequest { description: Some("Pedido 43".into()), ..Default::default() },
                )
                $($aw)*
                .unwrap();
            assert_eq!(described.description.as_deref(), Some("Pedido 43"));
            let requests = kit::collect(c.payment_requests(&PaymentRequestFilters::default()))
                $($aw)*
                .unwrap();
            assert!(requests.iter().any(|r| r.id == request.id));
            let bank = c
                .list_connectors(&ConnectorFilters {
                    sandbox: Some(true),
                    supports_payment_initiation: Some(true),
                    ..Default::default()
                })
                $($aw)*
                .unwrap()
                .results
                .into_iter()
                .next()
                .expect("a connector that initiates payments");
            let intent = c
                .create_payment_intent(
                    &CreatePaymentIntent::new(request.id.clone())
                        .with_payer(bank.id, PaymentIntentParameters::cpf("52998224725")),
                )
                $($aw)*
                .unwrap();
            assert!(!intent.status.is_final());
            assert_eq!(c.get_payment_intent(&intent.id) $($aw)*.unwrap().id, intent.id);
            let intents = kit::collect(c.payment_intents(&request.id)) $($aw)*.unwrap();
            assert!(intents.iter().any(|i| i.id == intent.id));
            let schedules = kit::collect(c.payment_schedules(&request.id)) $($aw)*.unwrap();
            assert!(schedules.is_empty(), "a request without a plan has no schedules");

            // The payer approves: the intent and the request settle, and the waits see it.
            emu.authorize_payment_intent(intent.id.as_str());
            let settled = c
                .wait_for_payment_intent(&intent.id, fast_wait(), |_| {})
                $($aw)*
                .unwrap();
            assert!(settled.status.is_success(), "{:?}", settled.status);
            let paid = c
                .wait_for_payment_request(&request.id, fast_wait(), |_| {})
                $($aw)*
                .unwrap();
            assert!(paid.status.is_success(), "{:?}", paid.status);

            // Smart transfers: a preauthorization for this recipient.
            let preauthorization = c
                .create_smart_transfer_preauthorization(&CreateSmartTransferPreauthorization::new(
                    bank.id,
                    SmartTransferPreauthorizationParameters::cpf("52998224725"),
                    vec![recipient.id.clone()],
                ))
                $($aw)*
                .unwrap();
            assert_eq!(
                c.get_smart_transfer_preauthorization(&preauthorization.id) $($aw)*.unwrap().id,
                preauthorization.id
            );
            let all = kit::collect(c.smart_transfer_preauthorizations(None)) $($aw)*.unwrap();
            assert!(all.iter().any(|p| p.id == preauthorization.id));

            // Cleaning up: a new request deleted, the recipient and the customer too.
            let other = c
                .create_payment_request(
                    &CreatePaymentRequest::new(amount).with_recipient(recipient.id.clone()),
                )
                $($aw)*
                .unwrap();
            c.delete_payment_request(&other.id) $($aw)*.unwrap();
            assert_eq!(c.get_payment_request(&other.id) $($aw)*.unwrap_err().status(), Some(404));
            c.delete_payment_recipient(&recipient.id) $($aw)*.unwrap();
            c.delete_payment_customer(&customer.id) $($aw)*.unwrap();
            assert_eq!(c.get_payment_customer(&customer.id) $($aw)*.unwrap_err().status(), Some(404));

            // None of it is open to a connect token.
            let front = c.connect_client(
                c.create_connect_token(&ConnectTokenRequest::default()) $($aw)*.unwrap(),
            );
            let e = front
                .raw(calls::get_payment_request(&request.id).into_call())
                $($aw)*
                .unwrap_err();
            assert!(matches!(e, Error::Scope(ScopeError::ApiKeyRequired { .. })), "{e:?}");
        }

        /// Checks that the call on `route` reached the emulator exactly once, though it failed:
        /// the 503 (`dropped == false`) or the dropped connection (`dropped == true`) was not
        /// retried.
        fn sent_once(emu: &Emulator, route: &str, result: Result<impl std::fmt::Debug, Error>, dropped: bool) {
            let e = result.expect_err("the fault answers");
            let stats = emu.stats();
            if dropped {
                assert!(matches!(e, Error::Transport { .. }), "{route}: {e:?}");
                assert_eq!(stats.answered(route), 0, "{route}: {}", stats.0);
            } else {
                assert_eq!(e.status(), Some(503), "{route}: {e:?}");
                assert_eq!(stats.requests(route, 503), 1, "{route}: {}", stats.0);
                assert_eq!(stats.answered(route), 1, "{route}: {}", stats.0);
            }
        }

        $($test)* $($as)* fn money_is_never_repeated_under_faults() {
            use $crate::__private::pluggy_core::models::{
                AutomaticPixInterval, BoletoToIssuePayer, CreateBoleto, CreatePaymentIntent,
                CreatePaymentRequest, CreatePixQrPaymentRequest, CreateSmartTransferPayment,
                RetryAutomaticPixPayment, ScheduleAutomaticPixPayment,
                CreateAutomaticPixPaymentRequest, CreateBoletoConnectionFromItem,
            };
            use $crate::__private::pluggy_core::models::Date;
            use $crate::__private::pluggy_core::{
                AutomaticPixPaymentId, BoletoConnectionId, PaymentRecipientId, PaymentRequestId,
                SmartTransferPreauthorizationId,
            };
            let amount = || "12.34".parse().expect("a decimal");
            let date = Date::from_ymd(2030, 1, 15).expect("a date");
            for dropped in [false, true] {
                let emu = Emulator::start();
                let c = client(&emu);
                // A key first, so that a dropped connection hits the call itself.
                c.get_connector(CONNECTOR) $($aw)*.unwrap();
                let fault = |method: &str, route: &str| {
                    let rule = Fault::on(method, route);
                    emu.fault(if dropped { rule.drop_connection() } else { rule.status(503) });
                };
                let request = PaymentRequestId::new("pr-1");
                let recipient = PaymentRecipientId::new("rc-1");

                fault("POST", "/payments/requests");
                let r = c.create_payment_request(&CreatePaymentRequest::new(amount())) $($aw)*;
                sent_once(&emu, "POST /payments/requests", r, dropped);

                fault("POST", "/payments/requests/pix-qr");
                let r = c
                    .create_pix_qr_payment_request(&CreatePixQrPaymentRequest::new("000201"))
                    $($aw)*;
                sent_once(&emu, "POST /payments/requests/pix-qr", r, dropped);

                fault("POST", "/payments/intents");
                let r = c.create_payment_intent(&CreatePaymentIntent::new(request.clone())) $($aw)*;
                sent_once(&emu, "POST /payments/intents", r, dropped);

                fault("POST", "/payments/requests/automatic-pix");
                let mandate = CreateAutomaticPixPaymentRequest::new(
                    recipient.clone(),
                    AutomaticPixInterval::Monthly,
                    date,
                );
                let r = c.create_automatic_pix_request(&mandate) $($aw)*;
                sent_once(&emu, "POST /payments/requests/automatic-pix", r, dropped);

                fault("POST", "/payments/requests/{id}/automatic-pix/schedule");
                let r = c
                    .schedule_automatic_pix_payment(
                        &request,
                        &ScheduleAutomaticPixPayment::new(amount(), date),
                    )
                    $($aw)*;
                sent_once(&emu, "POST /payments/requests/{id}/automatic-pix/schedule", r, dropped);

                fault("POST", "/payments/requests/{id}/automatic-pix/schedules/{scheduleId}/retry");
                let r = c
                    .retry_automatic_pix_payment(
                        &request,
                        &AutomaticPixPaymentId::new("ap-1"),
                        &RetryAutomaticPixPayment::new(date),
                    )
                    $($aw)*;
                sent_once(
                    &emu,
                    "POST /payments/requests/{id}/automatic-pix/schedules/{scheduleId}/retry",
                    r,
                    dropped,
                );

                fault("POST", "/smart-transfers/payments");
                let payment = CreateSmartTransferPayment::new(
                    SmartTransferPreauthorizationId::new("sp-1"),
                    recipient.clone(),
                    amount(),
                );
                let r = c.create_smart_transfer_payment(&payment) $($aw)*;
                sent_once(&emu, "POST /smart-transfers/payments", r, dropped);

                fault("POST", "/boleto-connections/from-item");
                let r = c
                    .create_boleto_connection_from_item(&CreateBoletoConnectionFromItem::new(
                        ItemId::new("it-1"),
                    ))
                    $($aw)*;
                sent_once(&emu, "POST /boleto-connections/from-item", r, dropped);

                fault("POST", "/boletos");
                let boleto = CreateBoleto::new(
                    BoletoConnectionId::new("bc-1"),
                    "1",
                    amount(),
                    date,
                    BoletoToIssuePayer::new("52998224725", "Ana", "SP", "01001000"),
                );
                let r = c.create_boleto(&boleto) $($aw)*;
                sent_once(&emu, "POST /boletos", r, dropped);
            }
        }

        $($test)* $($as)* fn abandoned_refresh_taken_over() {
            let emu = Emulator::start();
            // The first refresh is abandoned half-way, its caller gone (see the kit).
            let c = kit::abandon_a_refresh(&emu, builder(&emu)) $($aw)*;
            // The next caller refreshes at once instead of waiting out the 30 s load timeout.
            let started = Instant::now();
            let taken_over = kit::within(Duration::from_secs(5), c.clone(), get_connector) $($aw)*;
            assert_eq!(taken_over.expect("taken over").unwrap().id, CONNECTOR);
            assert!(started.elapsed() < Duration::from_secs(5));
            let stats = emu.stats();
            assert_eq!(stats.requests("POST /auth", 200), 1);
            assert_eq!(stats.auth_calls(), 1);
        }

        $($test)* $($as)* fn no_secret_in_debug_errors_or_traces() {
            let traces = pluggy_scenarios::tracing_capture();
            let emu = Emulator::start();
            let mut shown = Vec::new();
            let api_key = emu.api_key();
            let wrong_secret = "not-the-secret-0123456789";

            let b = builder(&emu);
            shown.push(format!("{b:?}"));
            let c = b.build().unwrap();
            shown.push(format!("{c:?}"));
            let grant = c.create_connect_token(&token_request(None)) $($aw)*.unwrap();
            let token = grant.token().expose_secret().to_owned();
            shown.push(format!("{grant:?}"));
            let front = c.connect_client(grant);
            shown.push(format!("{front:?}"));
            // A bank password of the user's own (the sandbox's `password-ok` is public: the
            // connector shows it as a placeholder).
            let bank_password = "s3cret-bank-pass";
            let parameters = sandbox::credentials().with("password", bank_password);
            shown.push(format!(
                "{:?}",
                c.validate_connector(CONNECTOR, &parameters) $($aw)*.unwrap()
            ));
            let request = CreateItemRequest::new(CONNECTOR, parameters);
            shown.push(format!("{request:?}"));
            let item = front.create_item(&request) $($aw)*.unwrap();
            let item = front
                .wait_for_item(&item.id, fast_wait(), |_| {})
                $($aw)*
                .unwrap();
            shown.push(format!("{item:?}"));

            let keyed = kit::Client::builder()
                .base_url(emu.base_url())
                .api_key(ApiKey::new(api_key.clone()))
                .build()
                .unwrap();
            shown.push(format!("{keyed:?}"));
            keyed.get_connector(CONNECTOR) $($aw)*.unwrap();

            let mut errors: Vec<Error> = Vec::new();
            // Refused client credentials.
            let refused = kit::Client::builder()
                .base_url(emu.base_url())
                .credentials(emu.client_id(), ClientSecret::new(wrong_secret))
                .build()
                .unwrap();
            errors.push(refused.get_connector(CONNECTOR) $($aw)*.unwrap_err());
            // A static key the server no longer accepts.
            emu.advance_clock(PAST_KEY_EXPIRY);
            errors.push(keyed.get_connector(CONNECTOR) $($aw)*.unwrap_err());
            // An expired connect token, then one outside its scope.
            errors.push(front.get_item(&item.id) $($aw)*.unwrap_err());
            errors.push(front.get_item(&ItemId::new("elsewhere")) $($aw)*.unwrap_err());
            // Nothing listening.
            let closed = kit::Client::builder()
                .base_url("http://127.0.0.1:9")
                .api_key(ApiKey::new(api_key.clone()))
                .retry_policy(fast_retry())
                .build()
                .unwrap();
            errors.push(closed.list_webhooks() $($aw)*.unwrap_err());
            assert!(
                errors.iter().all(|e| !matches!(e, Error::InvalidInput(_))),
                "{errors:?}"
            );
            for e in &errors {
                shown.push(format!("{e} {e:?}"));
            }

            let secrets = [
                emu.client_secret(),
                wrong_secret,
                api_key.as_str(),
                token.as_str(),
                bank_password,
            ];
            for text in &shown {
                assert_no_secret("a Debug or Display", text, &secrets);
            }
            let traced = traces.text();
            for field in [
                "span pluggy.call",
                "endpoint=",
                "attempt=",
                "status=",
                "duration_ms=",
            ] {
                assert!(traced.contains(field), "the call spans record {field}");
            }
            assert_no_secret("the traces", &traced, &secrets);
        }
    };
}
