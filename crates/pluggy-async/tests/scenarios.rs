//! The shared scenarios (see `pluggy-scenarios`), driven by the async client (hyper transport,
//! tokio) against the emulator over 127.0.0.1.

pluggy_scenarios::scenario_tests!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async scenarios
);

mod scenarios {
    use std::pin::Pin;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use futures_core::Stream;
    use pluggy_async::runtime::{Clock, ManualClock};
    use pluggy_async::{Client, ClientBuilder, TransactionStream};
    use pluggy_core::models::{
        ConnectTokenOptions, ConnectTokenRequest, ConnectorFilters, CreateItemRequest,
        CreateWebhook, CursorTransactionFilters, InvestmentFilters, Item, Transaction,
        TransactionFilters, UpdateItemRequest, UpdateWebhook,
    };
    use pluggy_core::{
        ApiKey, Call, ClientSecret, Error, IntoCall, ItemId, ItemStatus, Now, Product, ScopeError,
        TransportErrorKind, WebhookEvent, calls, endpoints,
    };
    use pluggy_scenarios::sandbox::{
        self, CLIENT_USER_ID, CONNECTOR, INTO_SOFT_WINDOW, MFA_CONNECTOR, PAST_KEY_EXPIRY,
        fast_retry, fast_wait,
    };
    use pluggy_scenarios::{
        Emulator, Fault, RedirectServer, WebhookReceiver, assert_no_secret, expect,
    };

    /// A builder pointed at the emulator with its client credentials and fast retries.
    fn builder(emu: &Emulator) -> ClientBuilder {
        Client::builder()
            .base_url(emu.base_url())
            .credentials(emu.client_id(), ClientSecret::new(emu.client_secret()))
            .retry_policy(fast_retry())
    }

    fn client(emu: &Emulator) -> Client {
        builder(emu).build().expect("client")
    }

    /// A clock on the real wall time that moves only when told.
    fn manual_clock() -> Arc<ManualClock> {
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs() as i64;
        Arc::new(ManualClock::new(Now::new(Duration::ZERO, unix)))
    }

    /// Reads a transaction stream to its end, stopping at the first error.
    async fn collect(mut stream: TransactionStream) -> Result<Vec<Transaction>, Error> {
        let mut all = Vec::new();
        while let Some(next) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await
        {
            all.push(next?);
        }
        Ok(all)
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

    async fn synced_item(c: &Client, user: &str) -> Item {
        let item = c
            .create_item(&sandbox::create_item_as(CONNECTOR, user))
            .await
            .unwrap();
        let item = c
            .wait_for_item(&item.id, fast_wait(), |_| {})
            .await
            .unwrap();
        expect::synced(&item);
        item
    }

    pub async fn every_api_key_call() {
        let emu = Emulator::start();
        let c = client(&emu);

        let connectors = c
            .list_connectors(&ConnectorFilters {
                sandbox: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(connectors.results.iter().any(|k| k.id == CONNECTOR));
        assert_eq!(c.get_connector(CONNECTOR).await.unwrap().id, CONNECTOR);
        assert!(
            c.validate_connector(CONNECTOR, &sandbox::credentials())
                .await
                .unwrap()
                .is_valid()
        );

        let item = synced_item(&c, sandbox::USER_MANY_TRANSACTIONS).await;
        assert_eq!(c.get_item(&item.id).await.unwrap().id, item.id);
        let update = UpdateItemRequest {
            client_user_id: Some("user-43".into()),
            ..Default::default()
        };
        let updated = c.update_item(&item.id, &update).await.unwrap();
        assert_eq!(updated.client_user_id, Some("user-43".into()));
        expect::synced(
            &c.wait_for_item(&item.id, fast_wait(), |_| {})
                .await
                .unwrap(),
        );
        c.disable_auto_sync(&item.id).await.unwrap();

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
            .await
            .unwrap();
        assert_eq!(grant.issued_for(), Some(&item.id));
        assert_eq!(
            c.connect_client(grant).get_item(&item.id).await.unwrap().id,
            item.id
        );

        let accounts = c.list_accounts(&item.id, None).await.unwrap();
        let account = accounts.results.first().expect("an account").clone();
        assert_eq!(c.get_account(&account.id).await.unwrap().id, account.id);

        let page = c
            .list_transactions(&account.id, &TransactionFilters::default())
            .await
            .unwrap();
        let first = page.results.first().expect("a transaction");
        assert_eq!(c.get_transaction(&first.id).await.unwrap().id, first.id);
        let no_filter = CursorTransactionFilters::default();
        let cursor = c
            .list_transactions_cursor(&account.id, &no_filter)
            .await
            .unwrap();
        assert!(!cursor.results.is_empty());
        let next = cursor.next.expect("more than one cursor page");
        let second = c.next_transactions_page(&next).await.unwrap();
        assert!(!second.results.is_empty());
        assert_ne!(second.results[0].id, cursor.results[0].id);
        let all = collect(c.transactions(&account.id, &no_filter))
            .await
            .unwrap();
        assert_eq!(all.len() as u64, page.total);

        let identity = c.get_identity_by_item(&item.id).await.unwrap();
        assert_eq!(c.get_identity(&identity.id).await.unwrap().id, identity.id);
        let investments = c
            .list_investments(&item.id, &InvestmentFilters::default())
            .await
            .unwrap();
        let investment = investments.results.first().expect("an investment");
        assert_eq!(
            c.get_investment(&investment.id).await.unwrap().id,
            investment.id
        );
        c.list_investment_transactions(&investment.id, Some(1), Some(5))
            .await
            .unwrap();

        let hook = c
            .create_webhook(&CreateWebhook {
                url: "https://example.com/hooks".into(),
                event: WebhookEvent::ItemUpdated,
                headers: None,
            })
            .await
            .unwrap();
        assert!(
            c.list_webhooks()
                .await
                .unwrap()
                .results
                .iter()
                .any(|w| w.id == hook.id)
        );
        assert_eq!(c.get_webhook(&hook.id).await.unwrap().url, hook.url);
        let moved = c
            .update_webhook(
                &hook.id,
                &UpdateWebhook {
                    url: Some("https://example.com/other".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(moved.url, "https://example.com/other");
        c.delete_webhook(&hook.id).await.unwrap();
        assert_eq!(
            c.get_webhook(&hook.id).await.unwrap_err().status(),
            Some(404)
        );

        // MFA answered by hand with send_mfa.
        let mfa = c
            .create_item(&sandbox::create_item(MFA_CONNECTOR))
            .await
            .unwrap();
        let waiting = c.wait_for_item(&mfa.id, fast_wait(), |_| {}).await.unwrap();
        assert_eq!(waiting.status, ItemStatus::WaitingUserInput);
        c.send_mfa(&mfa.id, &sandbox::mfa_answer()).await.unwrap();
        expect::synced(&c.wait_for_item(&mfa.id, fast_wait(), |_| {}).await.unwrap());

        // The escape hatch: any call, answered raw.
        let raw = c.raw(calls::get_item(&item.id)).await.unwrap();
        assert_eq!(raw.status(), 200);
        let body: serde_json::Value = serde_json::from_slice(raw.body()).unwrap();
        assert_eq!(body["id"], item.id.as_str());

        assert_eq!(c.delete_item(&item.id).await.unwrap().count, 1);
        assert_eq!(c.get_item(&item.id).await.unwrap_err().status(), Some(404));
        // One key served every call.
        assert_eq!(emu.stats().auth_calls(), 1);
    }

    pub async fn every_connect_token_call() {
        let emu = Emulator::start();
        let backend = client(&emu);
        let grant = backend
            .create_connect_token(&token_request(None))
            .await
            .unwrap();
        let front = Client::builder()
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
                .await
                .unwrap()
                .results
                .iter()
                .any(|k| k.id == CONNECTOR)
        );
        assert_eq!(front.get_connector(CONNECTOR).await.unwrap().id, CONNECTOR);
        assert!(
            front
                .validate_connector(CONNECTOR, &sandbox::credentials())
                .await
                .unwrap()
                .is_valid()
        );
        let item = front
            .create_item(&sandbox::create_item(CONNECTOR))
            .await
            .unwrap();
        assert_eq!(front.grant().scope_items(), std::slice::from_ref(&item.id));
        let item = front
            .wait_for_item(&item.id, fast_wait(), |_| {})
            .await
            .unwrap();
        expect::synced(&item);
        assert_eq!(front.get_item(&item.id).await.unwrap().id, item.id);
        front
            .update_item(&item.id, &UpdateItemRequest::default())
            .await
            .unwrap();
        expect::synced(
            &front
                .wait_for_item(&item.id, fast_wait(), |_| {})
                .await
                .unwrap(),
        );
        let accounts = front.list_accounts(&item.id).await.unwrap();
        assert!(!accounts.results.is_empty());
        expect::reduced_accounts(
            &front
                .raw(calls::list_accounts(&item.id, None))
                .await
                .unwrap(),
        );
        let raw = front.raw(calls::get_item(&item.id)).await.unwrap();
        assert_eq!(raw.status(), 200);

        // MFA on an item this token created, answered by hand.
        let mfa = front
            .create_item(&sandbox::create_item(MFA_CONNECTOR))
            .await
            .unwrap();
        let waiting = front
            .wait_for_item(&mfa.id, fast_wait(), |_| {})
            .await
            .unwrap();
        assert_eq!(waiting.status, ItemStatus::WaitingUserInput);
        front
            .send_mfa(&mfa.id, &sandbox::mfa_answer())
            .await
            .unwrap();
    }

    pub async fn documented_flow() {
        let emu = Emulator::start();
        let receiver = WebhookReceiver::start();
        // Backend: client credentials → API key → a connect token for one user.
        let backend = client(&emu);
        let grant = backend
            .create_connect_token(&token_request(Some(receiver.url())))
            .await
            .unwrap();
        // Front end: the connect token only.
        let front = backend.connect_client(grant);
        let created = front
            .create_item(&sandbox::create_item(CONNECTOR))
            .await
            .unwrap();
        let mut seen = Vec::new();
        let item = front
            .wait_for_item(&created.id, fast_wait(), |i| seen.push(i.status.clone()))
            .await
            .unwrap();
        expect::synced(&item);
        assert_eq!(seen.last(), Some(&ItemStatus::Updated));
        assert_eq!(item.client_user_id, Some(CLIENT_USER_ID.into()));
        let accounts = front.list_accounts(&item.id).await.unwrap();
        expect::reduced_accounts(
            &front
                .raw(calls::list_accounts(&item.id, None))
                .await
                .unwrap(),
        );
        // Backend again: every transaction, through the cursor and through the pages.
        for account in &accounts.results {
            let cursor =
                collect(backend.transactions(&account.id, &CursorTransactionFilters::default()))
                    .await
                    .unwrap();
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
                    .await
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

    pub async fn mfa_two_steps_through_the_hook() {
        let emu = Emulator::start();
        let backend = client(&emu);
        let front = backend.connect_client(
            backend
                .create_connect_token(&token_request(None))
                .await
                .unwrap(),
        );
        let item = front
            .create_item(&sandbox::create_item(MFA_CONNECTOR))
            .await
            .unwrap();
        let mut prompts = Vec::new();
        let item = front
            .wait_for_item_with_mfa(
                &item.id,
                fast_wait(),
                |_| {},
                |prompt| {
                    prompts.push(prompt.map(|p| p.name));
                    std::future::ready(Some(sandbox::mfa_answer()))
                },
            )
            .await
            .unwrap();
        expect::synced(&item);
        // Two steps: the credentials, then the token the hook gave.
        assert_eq!(prompts, vec![Some("token".to_owned())]);
        // A hook that declines stops the wait at the prompt.
        let other = front
            .create_item(&sandbox::create_item(MFA_CONNECTOR))
            .await
            .unwrap();
        let stopped = front
            .wait_for_item_with_mfa(&other.id, fast_wait(), |_| {}, |_| std::future::ready(None))
            .await
            .unwrap();
        assert_eq!(stopped.status, ItemStatus::WaitingUserInput);
    }

    pub async fn wait_deadline_is_a_typed_error() {
        let emu = Emulator::start_with(pluggy_scenarios::slow_sync_config());
        let c = client(&emu);
        let item = c
            .create_item(&sandbox::create_item(CONNECTOR))
            .await
            .unwrap();
        let mut looks = 0;
        let e = c
            .wait_for_item(&item.id, sandbox::short_wait(), |i| {
                assert_eq!(i.status, ItemStatus::Updating);
                looks += 1;
            })
            .await
            .unwrap_err();
        assert!(matches!(e, Error::DeadlineExceeded(_)), "{e:?}");
        assert!(looks >= 2, "the item was looked at {looks} times");
    }

    pub async fn scope_refusals_send_nothing() {
        let emu = Emulator::start();
        let backend = client(&emu);
        let other = synced_item(&backend, sandbox::USER_OK).await;
        let front = backend.connect_client(
            backend
                .create_connect_token(&token_request(None))
                .await
                .unwrap(),
        );
        let mine = front
            .create_item(&sandbox::create_item(CONNECTOR))
            .await
            .unwrap();
        let before = emu.stats();
        let out_of_scope = |e: Error| {
            assert!(
                matches!(e, Error::Scope(ScopeError::ItemOutOfScope { .. })),
                "{e:?}"
            )
        };
        out_of_scope(front.get_item(&other.id).await.unwrap_err());
        out_of_scope(front.list_accounts(&other.id).await.unwrap_err());
        out_of_scope(
            front
                .update_item(&other.id, &UpdateItemRequest::default())
                .await
                .unwrap_err(),
        );
        out_of_scope(
            front
                .send_mfa(&other.id, &sandbox::mfa_answer())
                .await
                .unwrap_err(),
        );
        out_of_scope(
            front
                .wait_for_item(&other.id, fast_wait(), |_| {})
                .await
                .unwrap_err(),
        );
        for call in [
            calls::list_transactions(&"acc".into(), &TransactionFilters::default()).into_call(),
            calls::get_identity_by_item(&mine.id).into_call(),
            calls::list_webhooks().into_call(),
            calls::delete_item(&mine.id).into_call(),
        ] {
            let e = front.raw(call).await.unwrap_err();
            assert!(
                matches!(e, Error::Scope(ScopeError::ApiKeyRequired { .. })),
                "{e:?}"
            );
        }
        let e = front
            .raw(Call::new(&endpoints::ACCOUNTS_LIST))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Scope(ScopeError::ItemRequired { .. })),
            "{e:?}"
        );
        backend
            .raw(calls::create_connect_token(&ConnectTokenRequest::default()))
            .await
            .expect("an API key may mint connect tokens");
        let after_token = emu.stats();
        let e = backend
            .raw(Call::new(&endpoints::AUTH_CREATE))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Scope(ScopeError::NoCredentialAllowed { .. })),
            "{e:?}"
        );
        expect::nothing_sent(&after_token, &emu.stats());
        assert_eq!(after_token.total(), before.total() + 1);
    }

    pub async fn single_flight_first_key() {
        let emu = Emulator::start();
        let c = client(&emu);
        run_together(1000, &c).await;
        assert_eq!(emu.stats().auth_calls(), 1);
    }

    /// Runs `get_connector` in `n` tasks released together; every call must succeed.
    async fn run_together(n: usize, c: &Client) {
        let barrier = Arc::new(tokio::sync::Barrier::new(n));
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let c = c.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    c.get_connector(CONNECTOR).await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("no panic").expect("the call succeeds");
        }
    }

    pub async fn single_flight_at_expiry() {
        let emu = Emulator::start();
        let clock = manual_clock();
        let c = builder(&emu)
            .shared_clock(clock.clone() as Arc<dyn Clock>)
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).await.unwrap();
        let before = emu.stats();
        // Both clocks past the key's expiry: every caller needs a new key.
        clock.advance(PAST_KEY_EXPIRY);
        emu.advance_clock(PAST_KEY_EXPIRY);
        run_together(1000, &c).await;
        let after = emu.stats();
        expect::auth_calls(&before, &after, 1);
        assert_eq!(after.requests("GET /connectors/{id}", 403), 0);
    }

    pub async fn expired_key_403_refreshes_once() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).await.unwrap();
        // The server's clock passes the key's expiry; the client still believes it valid.
        emu.advance_clock(PAST_KEY_EXPIRY);
        let before = emu.stats();
        assert_eq!(c.get_connector(CONNECTOR).await.unwrap().id, CONNECTOR);
        expect::refreshed_on_403(&before, &emu.stats(), "GET /connectors/{id}");
    }

    pub async fn soft_refresh_does_not_delay_callers() {
        let emu = Emulator::start();
        let clock = manual_clock();
        let c = builder(&emu)
            .shared_clock(clock.clone() as Arc<dyn Clock>)
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).await.unwrap();
        // The key enters its last minutes; the refresh it triggers is slow.
        clock.advance(INTO_SOFT_WINDOW);
        emu.fault(
            Fault::on("POST", "/auth")
                .delay(Duration::from_secs(2))
                .times(1),
        );
        let started = Instant::now();
        for _ in 0..5 {
            assert_eq!(c.get_connector(CONNECTOR).await.unwrap().id, CONNECTOR);
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

    pub async fn failed_soft_refresh_keeps_the_valid_key() {
        let emu = Emulator::start();
        let clock = manual_clock();
        let c = builder(&emu)
            .shared_clock(clock.clone() as Arc<dyn Clock>)
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).await.unwrap();
        clock.advance(INTO_SOFT_WINDOW);
        emu.fault(Fault::on("POST", "/auth").status(503));
        let before = emu.stats();
        for _ in 0..3 {
            assert_eq!(c.get_connector(CONNECTOR).await.unwrap().id, CONNECTOR);
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

    pub async fn server_errors_retried_for_reads() {
        let emu = Emulator::start();
        let c = client(&emu);
        emu.fault(Fault::on("GET", "/connectors").status(503).times(1));
        c.list_connectors(&ConnectorFilters::default())
            .await
            .unwrap();
        expect::retried_once(&emu.stats(), "GET /connectors", 503);
    }

    pub async fn rate_limit_retry_after_honoured() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).await.unwrap();
        emu.fault(
            Fault::on("GET", "/connectors")
                .status(429)
                .retry_after(1)
                .times(1),
        );
        let started = Instant::now();
        c.list_connectors(&ConnectorFilters::default())
            .await
            .unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1));
        expect::retried_once(&emu.stats(), "GET /connectors", 429);
    }

    pub async fn dropped_connections_retried_for_reads() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).await.unwrap();
        emu.fault(Fault::on("GET", "/connectors").drop_connection().times(1));
        c.list_connectors(&ConnectorFilters::default())
            .await
            .unwrap();
        expect::retried_after_drop(&emu.stats(), "GET /connectors");
    }

    pub async fn slow_answers_time_out() {
        let emu = Emulator::start();
        let c = builder(&emu)
            .timeouts(Duration::from_secs(2), Duration::from_millis(200))
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).await.unwrap();
        emu.fault(Fault::on("GET", "/connectors").delay(Duration::from_secs(2)));
        let started = Instant::now();
        let e = c
            .list_connectors(&ConnectorFilters::default())
            .await
            .unwrap_err();
        match &e {
            Error::Transport { source, .. } => assert_eq!(source.kind, TransportErrorKind::Timeout),
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(2), "{e}");
    }

    pub async fn redirects_not_followed() {
        let server = RedirectServer::start();
        let c = Client::builder()
            .base_url(server.url())
            .api_key(ApiKey::new("static-key"))
            .retry_policy(fast_retry())
            .build()
            .unwrap();
        let e = c
            .list_connectors(&ConnectorFilters::default())
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(302), "{e:?}");
        assert_eq!(server.hits(), 1, "the redirect was not followed");
    }

    pub async fn create_item_once_under_server_error() {
        let emu = Emulator::start();
        let c = client(&emu);
        emu.fault(Fault::on("POST", "/items").status(503));
        let e = c
            .create_item(&sandbox::create_item(CONNECTOR))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(503), "{e:?}");
        expect::create_item_sent_once(&emu.stats(), 503);
    }

    pub async fn create_item_once_under_dropped_connection() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).await.unwrap();
        emu.fault(Fault::on("POST", "/items").drop_connection());
        let e = c
            .create_item(&sandbox::create_item(CONNECTOR))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Transport { .. }), "{e:?}");
        expect::create_item_dropped_once(&emu.stats());
    }

    pub async fn abandoned_refresh_taken_over() {
        let emu = Emulator::start();
        let c = client(&emu);
        // The first refresh hangs; its caller gives up (the future is dropped mid-refresh).
        emu.fault(
            Fault::on("POST", "/auth")
                .delay(Duration::from_secs(10))
                .times(1),
        );
        let gave_up =
            tokio::time::timeout(Duration::from_secs(1), c.get_connector(CONNECTOR)).await;
        assert!(gave_up.is_err(), "the first call was still refreshing");
        // The next caller refreshes at once instead of waiting out the 30 s load timeout.
        let started = Instant::now();
        let taken_over =
            tokio::time::timeout(Duration::from_secs(5), c.get_connector(CONNECTOR)).await;
        assert_eq!(taken_over.expect("taken over").unwrap().id, CONNECTOR);
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(emu.stats().requests("POST /auth", 200), 1);
    }

    pub async fn no_secret_in_debug_errors_or_traces() {
        let traces = pluggy_scenarios::tracing_capture();
        let emu = Emulator::start();
        let mut shown = Vec::new();
        let api_key = emu.api_key();
        let wrong_secret = "not-the-secret-0123456789";

        let b = builder(&emu);
        shown.push(format!("{b:?}"));
        let c = b.build().unwrap();
        shown.push(format!("{c:?}"));
        let grant = c.create_connect_token(&token_request(None)).await.unwrap();
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
            c.validate_connector(CONNECTOR, &parameters).await.unwrap()
        ));
        let request = CreateItemRequest::new(CONNECTOR, parameters);
        shown.push(format!("{request:?}"));
        let item = front.create_item(&request).await.unwrap();
        let item = front
            .wait_for_item(&item.id, fast_wait(), |_| {})
            .await
            .unwrap();
        shown.push(format!("{item:?}"));

        let keyed = Client::builder()
            .base_url(emu.base_url())
            .api_key(ApiKey::new(api_key.clone()))
            .build()
            .unwrap();
        shown.push(format!("{keyed:?}"));
        keyed.get_connector(CONNECTOR).await.unwrap();

        let mut errors: Vec<Error> = Vec::new();
        // Refused client credentials.
        let refused = Client::builder()
            .base_url(emu.base_url())
            .credentials(emu.client_id(), ClientSecret::new(wrong_secret))
            .build()
            .unwrap();
        errors.push(refused.get_connector(CONNECTOR).await.unwrap_err());
        // A static key the server no longer accepts.
        emu.advance_clock(PAST_KEY_EXPIRY);
        errors.push(keyed.get_connector(CONNECTOR).await.unwrap_err());
        // An expired connect token, then one outside its scope.
        errors.push(front.get_item(&item.id).await.unwrap_err());
        errors.push(front.get_item(&ItemId::new("elsewhere")).await.unwrap_err());
        // Nothing listening.
        let closed = Client::builder()
            .base_url("http://127.0.0.1:9")
            .api_key(ApiKey::new(api_key.clone()))
            .retry_policy(fast_retry())
            .build()
            .unwrap();
        errors.push(closed.list_webhooks().await.unwrap_err());
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
}
