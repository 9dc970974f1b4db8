//! The shared scenarios (see `pluggy-scenarios`), driven by the blocking client against the
//! emulator over 127.0.0.1.

pluggy_scenarios::scenario_tests!(
    #[test]
    scenarios
);

mod scenarios {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Barrier};
    use std::time::{Duration, Instant};

    use pluggy_blocking::clock::{Clock, ManualClock};
    use pluggy_blocking::{Client, ClientBuilder, UreqTransport};
    use pluggy_core::models::{
        ConnectTokenOptions, ConnectTokenRequest, ConnectorFilters, CreateItemRequest,
        CreateWebhook, CursorTransactionFilters, InvestmentFilters, Item, TransactionFilters,
        UpdateItemRequest, UpdateWebhook,
    };
    use pluggy_core::{
        ApiKey, BlockingTransport, Call, ClientSecret, Error, IntoCall, ItemId, ItemStatus, Now,
        PreparedRequest, Product, RawResponse, ScopeError, TransportError, TransportErrorKind,
        WebhookEvent, calls, endpoints,
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

    fn synced_item(c: &Client, user: &str) -> Item {
        let item = c
            .create_item(&sandbox::create_item_as(CONNECTOR, user))
            .unwrap();
        let item = c.wait_for_item(&item.id, fast_wait(), |_| {}).unwrap();
        expect::synced(&item);
        item
    }

    pub fn every_api_key_call() {
        let emu = Emulator::start();
        let c = client(&emu);

        let connectors = c
            .list_connectors(&ConnectorFilters {
                sandbox: Some(true),
                ..Default::default()
            })
            .unwrap();
        assert!(connectors.results.iter().any(|k| k.id == CONNECTOR));
        assert_eq!(c.get_connector(CONNECTOR).unwrap().id, CONNECTOR);
        assert!(
            c.validate_connector(CONNECTOR, &sandbox::credentials())
                .unwrap()
                .is_valid()
        );

        let item = synced_item(&c, sandbox::USER_MANY_TRANSACTIONS);
        assert_eq!(c.get_item(&item.id).unwrap().id, item.id);
        let update = UpdateItemRequest {
            client_user_id: Some("user-43".into()),
            ..Default::default()
        };
        let updated = c.update_item(&item.id, &update).unwrap();
        assert_eq!(updated.client_user_id, Some("user-43".into()));
        expect::synced(&c.wait_for_item(&item.id, fast_wait(), |_| {}).unwrap());
        c.disable_auto_sync(&item.id).unwrap();

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
            .unwrap();
        assert_eq!(grant.issued_for(), Some(&item.id));
        assert_eq!(
            c.connect_client(grant).get_item(&item.id).unwrap().id,
            item.id
        );

        let accounts = c.list_accounts(&item.id, None).unwrap();
        let account = accounts.results.first().expect("an account").clone();
        assert_eq!(c.get_account(&account.id).unwrap().id, account.id);

        let page = c
            .list_transactions(&account.id, &TransactionFilters::default())
            .unwrap();
        let first = page.results.first().expect("a transaction");
        assert_eq!(c.get_transaction(&first.id).unwrap().id, first.id);
        let no_filter = CursorTransactionFilters::default();
        let cursor = c.list_transactions_cursor(&account.id, &no_filter).unwrap();
        assert!(!cursor.results.is_empty());
        let next = cursor.next.expect("more than one cursor page");
        let second = c.next_transactions_page(&next).unwrap();
        assert!(!second.results.is_empty());
        assert_ne!(second.results[0].id, cursor.results[0].id);
        let all: Vec<_> = c
            .transactions(&account.id, &no_filter)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(all.len() as u64, page.total);

        let identity = c.get_identity_by_item(&item.id).unwrap();
        assert_eq!(c.get_identity(&identity.id).unwrap().id, identity.id);
        let investments = c
            .list_investments(&item.id, &InvestmentFilters::default())
            .unwrap();
        let investment = investments.results.first().expect("an investment");
        assert_eq!(c.get_investment(&investment.id).unwrap().id, investment.id);
        c.list_investment_transactions(&investment.id, Some(1), Some(5))
            .unwrap();

        let hook = c
            .create_webhook(&CreateWebhook {
                url: "https://example.com/hooks".into(),
                event: WebhookEvent::ItemUpdated,
                headers: None,
            })
            .unwrap();
        assert!(
            c.list_webhooks()
                .unwrap()
                .results
                .iter()
                .any(|w| w.id == hook.id)
        );
        assert_eq!(c.get_webhook(&hook.id).unwrap().url, hook.url);
        let moved = c
            .update_webhook(
                &hook.id,
                &UpdateWebhook {
                    url: Some("https://example.com/other".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(moved.url, "https://example.com/other");
        c.delete_webhook(&hook.id).unwrap();
        assert_eq!(c.get_webhook(&hook.id).unwrap_err().status(), Some(404));

        // MFA answered by hand with send_mfa.
        let mfa = c.create_item(&sandbox::create_item(MFA_CONNECTOR)).unwrap();
        let waiting = c.wait_for_item(&mfa.id, fast_wait(), |_| {}).unwrap();
        assert_eq!(waiting.status, ItemStatus::WaitingUserInput);
        c.send_mfa(&mfa.id, &sandbox::mfa_answer()).unwrap();
        expect::synced(&c.wait_for_item(&mfa.id, fast_wait(), |_| {}).unwrap());

        // The escape hatch: any call, answered raw.
        let raw = c.raw(calls::get_item(&item.id)).unwrap();
        assert_eq!(raw.status(), 200);
        let body: serde_json::Value = serde_json::from_slice(raw.body()).unwrap();
        assert_eq!(body["id"], item.id.as_str());

        assert_eq!(c.delete_item(&item.id).unwrap().count, 1);
        assert_eq!(c.get_item(&item.id).unwrap_err().status(), Some(404));
        // One key served every call.
        assert_eq!(emu.stats().auth_calls(), 1);
    }

    pub fn every_connect_token_call() {
        let emu = Emulator::start();
        let backend = client(&emu);
        let grant = backend.create_connect_token(&token_request(None)).unwrap();
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
                .unwrap()
                .results
                .iter()
                .any(|k| k.id == CONNECTOR)
        );
        assert_eq!(front.get_connector(CONNECTOR).unwrap().id, CONNECTOR);
        assert!(
            front
                .validate_connector(CONNECTOR, &sandbox::credentials())
                .unwrap()
                .is_valid()
        );
        let item = front.create_item(&sandbox::create_item(CONNECTOR)).unwrap();
        assert_eq!(front.grant().scope_items(), std::slice::from_ref(&item.id));
        let item = front.wait_for_item(&item.id, fast_wait(), |_| {}).unwrap();
        expect::synced(&item);
        assert_eq!(front.get_item(&item.id).unwrap().id, item.id);
        front
            .update_item(&item.id, &UpdateItemRequest::default())
            .unwrap();
        expect::synced(&front.wait_for_item(&item.id, fast_wait(), |_| {}).unwrap());
        let accounts = front.list_accounts(&item.id).unwrap();
        assert!(!accounts.results.is_empty());
        expect::reduced_accounts(&front.raw(calls::list_accounts(&item.id, None)).unwrap());
        let raw = front.raw(calls::get_item(&item.id)).unwrap();
        assert_eq!(raw.status(), 200);

        // MFA on an item this token created, answered by hand.
        let mfa = front
            .create_item(&sandbox::create_item(MFA_CONNECTOR))
            .unwrap();
        let waiting = front.wait_for_item(&mfa.id, fast_wait(), |_| {}).unwrap();
        assert_eq!(waiting.status, ItemStatus::WaitingUserInput);
        front.send_mfa(&mfa.id, &sandbox::mfa_answer()).unwrap();
    }

    pub fn documented_flow() {
        let emu = Emulator::start();
        let receiver = WebhookReceiver::start();
        // Backend: client credentials → API key → a connect token for one user.
        let backend = client(&emu);
        let grant = backend
            .create_connect_token(&token_request(Some(receiver.url())))
            .unwrap();
        // Front end: the connect token only.
        let front = backend.connect_client(grant);
        let created = front.create_item(&sandbox::create_item(CONNECTOR)).unwrap();
        let mut seen = Vec::new();
        let item = front
            .wait_for_item(&created.id, fast_wait(), |i| seen.push(i.status.clone()))
            .unwrap();
        expect::synced(&item);
        assert_eq!(seen.last(), Some(&ItemStatus::Updated));
        assert_eq!(item.client_user_id, Some(CLIENT_USER_ID.into()));
        let accounts = front.list_accounts(&item.id).unwrap();
        expect::reduced_accounts(&front.raw(calls::list_accounts(&item.id, None)).unwrap());
        // Backend again: every transaction, through the cursor and through the pages.
        for account in &accounts.results {
            let cursor: Vec<_> = backend
                .transactions(&account.id, &CursorTransactionFilters::default())
                .collect::<Result<_, _>>()
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

    pub fn mfa_two_steps_through_the_hook() {
        let emu = Emulator::start();
        let backend = client(&emu);
        let front =
            backend.connect_client(backend.create_connect_token(&token_request(None)).unwrap());
        let item = front
            .create_item(&sandbox::create_item(MFA_CONNECTOR))
            .unwrap();
        let mut prompts = Vec::new();
        let item = front
            .wait_for_item_with_mfa(
                &item.id,
                fast_wait(),
                |_| {},
                |prompt| {
                    prompts.push(prompt.map(|p| p.name));
                    Some(sandbox::mfa_answer())
                },
            )
            .unwrap();
        expect::synced(&item);
        // Two steps: the credentials, then the token the hook gave.
        assert_eq!(prompts, vec![Some("token".to_owned())]);
        // A hook that declines stops the wait at the prompt.
        let other = front
            .create_item(&sandbox::create_item(MFA_CONNECTOR))
            .unwrap();
        let stopped = front
            .wait_for_item_with_mfa(&other.id, fast_wait(), |_| {}, |_| None)
            .unwrap();
        assert_eq!(stopped.status, ItemStatus::WaitingUserInput);
    }

    pub fn wait_deadline_is_a_typed_error() {
        let emu = Emulator::start_with(pluggy_scenarios::slow_sync_config());
        let c = client(&emu);
        let item = c.create_item(&sandbox::create_item(CONNECTOR)).unwrap();
        let mut looks = 0;
        let e = c
            .wait_for_item(&item.id, sandbox::short_wait(), |i| {
                assert_eq!(i.status, ItemStatus::Updating);
                looks += 1;
            })
            .unwrap_err();
        assert!(matches!(e, Error::DeadlineExceeded(_)), "{e:?}");
        assert!(looks >= 2, "the item was looked at {looks} times");
    }

    pub fn scope_refusals_send_nothing() {
        let emu = Emulator::start();
        let backend = client(&emu);
        let other = synced_item(&backend, sandbox::USER_OK);
        let front =
            backend.connect_client(backend.create_connect_token(&token_request(None)).unwrap());
        let mine = front.create_item(&sandbox::create_item(CONNECTOR)).unwrap();
        let before = emu.stats();
        let out_of_scope = |e: Error| {
            assert!(
                matches!(e, Error::Scope(ScopeError::ItemOutOfScope { .. })),
                "{e:?}"
            )
        };
        out_of_scope(front.get_item(&other.id).unwrap_err());
        out_of_scope(front.list_accounts(&other.id).unwrap_err());
        out_of_scope(
            front
                .update_item(&other.id, &UpdateItemRequest::default())
                .unwrap_err(),
        );
        out_of_scope(
            front
                .send_mfa(&other.id, &sandbox::mfa_answer())
                .unwrap_err(),
        );
        out_of_scope(
            front
                .wait_for_item(&other.id, fast_wait(), |_| {})
                .unwrap_err(),
        );
        for call in [
            calls::list_transactions(&"acc".into(), &TransactionFilters::default()).into_call(),
            calls::get_identity_by_item(&mine.id).into_call(),
            calls::list_webhooks().into_call(),
            calls::delete_item(&mine.id).into_call(),
        ] {
            let e = front.raw(call).unwrap_err();
            assert!(
                matches!(e, Error::Scope(ScopeError::ApiKeyRequired { .. })),
                "{e:?}"
            );
        }
        let e = front.raw(Call::new(&endpoints::ACCOUNTS_LIST)).unwrap_err();
        assert!(
            matches!(e, Error::Scope(ScopeError::ItemRequired { .. })),
            "{e:?}"
        );
        backend
            .raw(calls::create_connect_token(&ConnectTokenRequest::default()))
            .expect("an API key may mint connect tokens");
        let after_token = emu.stats();
        let e = backend.raw(Call::new(&endpoints::AUTH_CREATE)).unwrap_err();
        assert!(
            matches!(e, Error::Scope(ScopeError::NoCredentialAllowed { .. })),
            "{e:?}"
        );
        expect::nothing_sent(&after_token, &emu.stats());
        assert_eq!(after_token.total(), before.total() + 1);
    }

    pub fn single_flight_first_key() {
        let emu = Emulator::start();
        let c = client(&emu);
        run_together(64, &c);
        assert_eq!(emu.stats().auth_calls(), 1);
    }

    /// Runs `get_connector` on `n` threads released together; every call must succeed.
    fn run_together(n: usize, c: &Client) {
        let barrier = Arc::new(Barrier::new(n));
        let threads: Vec<_> = (0..n)
            .map(|_| {
                let c = c.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    c.get_connector(CONNECTOR)
                })
            })
            .collect();
        for t in threads {
            t.join().expect("no panic").expect("the call succeeds");
        }
    }

    pub fn single_flight_at_expiry() {
        let emu = Emulator::start();
        let clock = manual_clock();
        let c = builder(&emu)
            .shared_clock(clock.clone() as Arc<dyn Clock>)
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).unwrap();
        let before = emu.stats();
        // Both clocks past the key's expiry: every caller needs a new key.
        clock.advance(PAST_KEY_EXPIRY);
        emu.advance_clock(PAST_KEY_EXPIRY);
        run_together(64, &c);
        let after = emu.stats();
        expect::auth_calls(&before, &after, 1);
        assert_eq!(after.requests("GET /connectors/{id}", 403), 0);
    }

    pub fn expired_key_403_refreshes_once() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).unwrap();
        // The server's clock passes the key's expiry; the client still believes it valid.
        emu.advance_clock(PAST_KEY_EXPIRY);
        let before = emu.stats();
        assert_eq!(c.get_connector(CONNECTOR).unwrap().id, CONNECTOR);
        expect::refreshed_on_403(&before, &emu.stats(), "GET /connectors/{id}");
    }

    pub fn soft_refresh_does_not_delay_callers() {
        let emu = Emulator::start();
        let clock = manual_clock();
        let c = builder(&emu)
            .shared_clock(clock.clone() as Arc<dyn Clock>)
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).unwrap();
        // The key enters its last minutes; the refresh it triggers is slow.
        clock.advance(INTO_SOFT_WINDOW);
        emu.fault(
            Fault::on("POST", "/auth")
                .delay(Duration::from_secs(2))
                .times(1),
        );
        let started = Instant::now();
        for _ in 0..5 {
            assert_eq!(c.get_connector(CONNECTOR).unwrap().id, CONNECTOR);
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

    pub fn failed_soft_refresh_keeps_the_valid_key() {
        let emu = Emulator::start();
        let clock = manual_clock();
        let c = builder(&emu)
            .shared_clock(clock.clone() as Arc<dyn Clock>)
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).unwrap();
        clock.advance(INTO_SOFT_WINDOW);
        emu.fault(Fault::on("POST", "/auth").status(503));
        let before = emu.stats();
        for _ in 0..3 {
            assert_eq!(c.get_connector(CONNECTOR).unwrap().id, CONNECTOR);
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

    pub fn server_errors_retried_for_reads() {
        let emu = Emulator::start();
        let c = client(&emu);
        emu.fault(Fault::on("GET", "/connectors").status(503).times(1));
        c.list_connectors(&ConnectorFilters::default()).unwrap();
        expect::retried_once(&emu.stats(), "GET /connectors", 503);
    }

    pub fn rate_limit_retry_after_honoured() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).unwrap();
        emu.fault(
            Fault::on("GET", "/connectors")
                .status(429)
                .retry_after(1)
                .times(1),
        );
        let started = Instant::now();
        c.list_connectors(&ConnectorFilters::default()).unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1));
        expect::retried_once(&emu.stats(), "GET /connectors", 429);
    }

    pub fn dropped_connections_retried_for_reads() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).unwrap();
        emu.fault(Fault::on("GET", "/connectors").drop_connection().times(1));
        c.list_connectors(&ConnectorFilters::default()).unwrap();
        expect::retried_after_drop(&emu.stats(), "GET /connectors");
    }

    pub fn slow_answers_time_out() {
        let emu = Emulator::start();
        let c = builder(&emu)
            .timeouts(Duration::from_secs(2), Duration::from_millis(200))
            .build()
            .unwrap();
        c.get_connector(CONNECTOR).unwrap();
        emu.fault(Fault::on("GET", "/connectors").delay(Duration::from_secs(2)));
        let started = Instant::now();
        let e = c.list_connectors(&ConnectorFilters::default()).unwrap_err();
        match &e {
            Error::Transport { source, .. } => assert_eq!(source.kind, TransportErrorKind::Timeout),
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(2), "{e}");
    }

    pub fn redirects_not_followed() {
        let server = RedirectServer::start();
        let c = Client::builder()
            .base_url(server.url())
            .api_key(ApiKey::new("static-key"))
            .retry_policy(fast_retry())
            .build()
            .unwrap();
        let e = c.list_connectors(&ConnectorFilters::default()).unwrap_err();
        assert_eq!(e.status(), Some(302), "{e:?}");
        assert_eq!(server.hits(), 1, "the redirect was not followed");
    }

    pub fn create_item_once_under_server_error() {
        let emu = Emulator::start();
        let c = client(&emu);
        emu.fault(Fault::on("POST", "/items").status(503));
        let e = c.create_item(&sandbox::create_item(CONNECTOR)).unwrap_err();
        assert_eq!(e.status(), Some(503), "{e:?}");
        expect::create_item_sent_once(&emu.stats(), 503);
    }

    pub fn create_item_once_under_dropped_connection() {
        let emu = Emulator::start();
        let c = client(&emu);
        c.get_connector(CONNECTOR).unwrap();
        emu.fault(Fault::on("POST", "/items").drop_connection());
        let e = c.create_item(&sandbox::create_item(CONNECTOR)).unwrap_err();
        assert!(matches!(e, Error::Transport { .. }), "{e:?}");
        expect::create_item_dropped_once(&emu.stats());
    }

    /// A transport that panics on the first `POST /auth` it is given, as a thread killed in
    /// the middle of a refresh would.
    struct PanicOnFirstAuth {
        inner: UreqTransport,
        armed: AtomicBool,
    }

    impl BlockingTransport for PanicOnFirstAuth {
        fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError> {
            if request.endpoint().name == endpoints::AUTH_CREATE.name
                && self.armed.swap(false, Ordering::SeqCst)
            {
                panic!("the refreshing thread dies");
            }
            self.inner.send(request)
        }
    }

    pub fn abandoned_refresh_taken_over() {
        let emu = Emulator::start();
        let c = builder(&emu)
            .transport(PanicOnFirstAuth {
                inner: UreqTransport::new(),
                armed: AtomicBool::new(true),
            })
            .build()
            .unwrap();
        let dying = c.clone();
        let died = std::thread::spawn(move || dying.get_connector(CONNECTOR)).join();
        assert!(died.is_err(), "the first refresh panicked");
        // The next caller refreshes at once instead of waiting out the 30 s load timeout.
        let started = Instant::now();
        c.get_connector(CONNECTOR).unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(emu.stats().auth_calls(), 1);
    }

    pub fn no_secret_in_debug_errors_or_traces() {
        let traces = pluggy_scenarios::tracing_capture();
        let emu = Emulator::start();
        let mut shown = Vec::new();
        let api_key = emu.api_key();
        let wrong_secret = "not-the-secret-0123456789";

        let b = builder(&emu);
        shown.push(format!("{b:?}"));
        let c = b.build().unwrap();
        shown.push(format!("{c:?}"));
        let grant = c.create_connect_token(&token_request(None)).unwrap();
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
            c.validate_connector(CONNECTOR, &parameters).unwrap()
        ));
        let request = CreateItemRequest::new(CONNECTOR, parameters);
        shown.push(format!("{request:?}"));
        let item = front.create_item(&request).unwrap();
        let item = front.wait_for_item(&item.id, fast_wait(), |_| {}).unwrap();
        shown.push(format!("{item:?}"));

        let keyed = Client::builder()
            .base_url(emu.base_url())
            .api_key(ApiKey::new(api_key.clone()))
            .build()
            .unwrap();
        shown.push(format!("{keyed:?}"));
        keyed.get_connector(CONNECTOR).unwrap();

        let mut errors: Vec<Error> = Vec::new();
        // Refused client credentials.
        let refused = Client::builder()
            .base_url(emu.base_url())
            .credentials(emu.client_id(), ClientSecret::new(wrong_secret))
            .build()
            .unwrap();
        errors.push(refused.get_connector(CONNECTOR).unwrap_err());
        // A static key the server no longer accepts.
        emu.advance_clock(PAST_KEY_EXPIRY);
        errors.push(keyed.get_connector(CONNECTOR).unwrap_err());
        // An expired connect token, then one outside its scope.
        errors.push(front.get_item(&item.id).unwrap_err());
        errors.push(front.get_item(&ItemId::new("elsewhere")).unwrap_err());
        // Nothing listening.
        let closed = Client::builder()
            .base_url("http://127.0.0.1:9")
            .api_key(ApiKey::new(api_key.clone()))
            .retry_policy(fast_retry())
            .build()
            .unwrap();
        errors.push(closed.list_webhooks().unwrap_err());
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
