//! Items and the sync that runs for each of them: a list of timed steps applied whenever the
//! emulator's clock passes them (on each request and from a background ticker), so that
//! advancing the clock finishes syncs without waiting.

use std::collections::VecDeque;

use pluggy_core::models::ItemParameters;
use pluggy_core::webhook::TriggeredBy;
use pluggy_core::{ExecutionStatus, ItemStatus, Product, WebhookEvent};

use crate::world::catalog::{Connector, Mfa};
use crate::world::categories::RuleRec;
use crate::world::clock::{Millis, millis};
use crate::world::data::{self, ItemData, Plan};
use crate::world::rng::Rng;
use crate::world::sandbox::{self, Failure, Outcome};
use crate::world::state::{Shared, State};
use crate::world::webhooks::{self, Extra};

const DAY_MS: i64 = 86_400_000;

/// One timed step of a sync.
#[derive(Clone, Debug)]
enum Step {
    /// Still `UPDATING`, now at this execution status.
    Progress(ExecutionStatus),
    /// Login done; collection starts (`item/login_succeeded`).
    LoggedIn,
    /// Stops at `WAITING_USER_INPUT` for the MFA token.
    AskMfa,
    /// The sync ends.
    Finish(Outcome),
}

/// A sync in progress.
#[derive(Clone, Debug)]
pub(crate) struct SyncRun {
    trigger: TriggeredBy,
    steps: VecDeque<(Millis, Step)>,
}

/// An item as the emulator keeps it.
#[derive(Clone, Debug)]
pub(crate) struct ItemRec {
    pub(crate) id: String,
    pub(crate) client_id: String,
    pub(crate) connector_id: u32,
    pub(crate) params: ItemParameters,
    pub(crate) status: ItemStatus,
    pub(crate) execution: ExecutionStatus,
    pub(crate) error: Option<Failure>,
    /// When the pending MFA prompt expires, while `WAITING_USER_INPUT`.
    pub(crate) prompt_expires_at: Option<Millis>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) client_user_id: Option<String>,
    pub(crate) oauth_redirect_uri: Option<String>,
    pub(crate) products: Vec<Product>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
    pub(crate) last_updated_at: Option<Millis>,
    pub(crate) last_outcome: Option<Outcome>,
    pub(crate) failed_logins: u32,
    pub(crate) auto_sync: bool,
    pub(crate) next_auto_sync_at: Option<Millis>,
    pub(crate) sync: Option<SyncRun>,
    pub(crate) data: Option<ItemData>,
    pub(crate) reported_created: bool,
}

impl ItemRec {
    /// A new item whose first sync starts at `now`.
    pub(crate) fn new(id: String, client_id: String, connector: &Connector, now: Millis) -> Self {
        Self {
            id,
            client_id,
            connector_id: connector.id,
            params: ItemParameters::new(),
            status: ItemStatus::Updating,
            execution: ExecutionStatus::Created,
            error: None,
            prompt_expires_at: None,
            webhook_url: None,
            client_user_id: None,
            oauth_redirect_uri: None,
            products: connector.products.clone(),
            created_at: now,
            updated_at: now,
            last_updated_at: None,
            last_outcome: None,
            failed_logins: 0,
            auto_sync: true,
            next_auto_sync_at: None,
            sync: None,
            data: None,
            reported_created: false,
        }
    }

    /// Whether a sync is running (including one waiting for MFA).
    pub(crate) fn in_progress(&self) -> bool {
        self.sync.is_some()
    }

    fn param(&self, name: &str) -> &str {
        self.params
            .get(name)
            .map(|v| v.expose_secret())
            .unwrap_or_default()
    }

    /// Starts a sync at `now`, with the item's current credentials.
    pub(crate) fn start_sync(
        &mut self,
        connector: &Connector,
        step: Millis,
        now: Millis,
        trigger: TriggeredBy,
    ) {
        let mut outcome = sandbox::outcome(self.param("user"), self.param("password"));
        let login_fails = matches!(&outcome, Outcome::Fail(f) if f.at_login());
        if connector.mfa == Mfa::OneStep
            && !login_fails
            && self.param("token") != sandbox::MFA_TOKEN_OK
        {
            outcome = Outcome::Fail(Failure::wrong_mfa());
        }
        self.status = ItemStatus::Updating;
        self.execution = if self.reported_created {
            ExecutionStatus::LoginInProgress
        } else {
            ExecutionStatus::Created
        };
        self.error = None;
        self.prompt_expires_at = None;
        self.updated_at = now;
        let mut steps = VecDeque::new();
        steps.push_back((now + step, Step::Progress(ExecutionStatus::LoginInProgress)));
        match &outcome {
            Outcome::Fail(f) if f.at_login() => {
                steps.push_back((now + 2 * step, Step::Finish(outcome)));
            }
            _ if connector.mfa == Mfa::TwoStep => {
                steps.push_back((now + 2 * step, Step::AskMfa));
            }
            _ => collect_steps(&mut steps, now + 2 * step, step, outcome),
        }
        self.sync = Some(SyncRun { trigger, steps });
    }

    /// Answers the MFA prompt: the right token resumes the sync, any other fails it.
    pub(crate) fn send_mfa(&mut self, token: &str, step: Millis, now: Millis) {
        let trigger = self
            .sync
            .as_ref()
            .map(|s| s.trigger.clone())
            .unwrap_or(TriggeredBy::User);
        self.status = ItemStatus::Updating;
        self.execution = ExecutionStatus::LoginMfaInProgress;
        self.prompt_expires_at = None;
        self.updated_at = now;
        let mut steps = VecDeque::new();
        if token == sandbox::MFA_TOKEN_OK {
            let outcome = sandbox::outcome(self.param("user"), self.param("password"));
            collect_steps(&mut steps, now + step, step, outcome);
        } else {
            steps.push_back((
                now + step,
                Step::Finish(Outcome::Fail(Failure::wrong_mfa())),
            ));
        }
        self.sync = Some(SyncRun { trigger, steps });
    }

    fn data_plan(&self, outcome: &Outcome, open_finance: bool) -> Plan {
        let has = |p: Product| self.products.contains(&p);
        Plan {
            bank_accounts: has(Product::Accounts) && *outcome != Outcome::Partial,
            credit_cards: has(Product::CreditCards),
            transactions_per_account: if has(Product::Transactions) {
                sandbox::transactions_per_account(self.param("user"))
            } else {
                0
            },
            identity: has(Product::Identity),
            investments: has(Product::Investments),
            loans: has(Product::Loans),
            products: self.products.clone(),
            open_finance,
        }
    }
}

/// The collection steps after a successful login, ending in `outcome`.
fn collect_steps(
    steps: &mut VecDeque<(Millis, Step)>,
    start: Millis,
    step: Millis,
    outcome: Outcome,
) {
    use ExecutionStatus as E;
    steps.push_back((start, Step::LoggedIn));
    // A sync that fails after login stops once it has read the transactions.
    let stages: &[E] = if matches!(outcome, Outcome::Fail(_)) {
        &[E::CreditcardsInProgress, E::TransactionsInProgress]
    } else {
        &[
            E::CreditcardsInProgress,
            E::TransactionsInProgress,
            E::InvestmentsInProgress,
            E::IdentityInProgress,
        ]
    };
    let mut t = start;
    for e in stages {
        t += step;
        steps.push_back((t, Step::Progress(e.clone())));
    }
    steps.push_back((t + step, Step::Finish(outcome)));
}

/// An event raised while advancing, sent once the items are no longer borrowed.
struct Raised {
    item_id: String,
    event: WebhookEvent,
    trigger: TriggeredBy,
    extra: Extra,
}

impl State {
    /// Applies every sync step due at `now`, starts due automatic syncs and queues webhooks.
    pub(crate) fn advance(&mut self, shared: &Shared, now: Millis) {
        let step = millis(shared.config.sync_step_delay);
        let mfa_timeout = millis(shared.config.mfa_timeout);
        let seed = shared.config.seed;
        let mut raised = Vec::new();
        let rules = &self.rules;
        for item in self.items.values_mut() {
            if item.sync.is_none() && item.auto_sync {
                if let Some(due) = item.next_auto_sync_at.filter(|at| *at <= now) {
                    if let Some(c) = shared.connector(item.connector_id) {
                        item.start_sync(c, step, catch_up_start(due, now), TriggeredBy::Sync);
                    }
                }
            }
            while let Some(run) = item.sync.as_mut() {
                let Some((at, _)) = run.steps.front() else {
                    item.sync = None;
                    break;
                };
                let at = *at;
                if at > now {
                    break;
                }
                let trigger = run.trigger.clone();
                let Some((_, step_kind)) = run.steps.pop_front() else {
                    break;
                };
                item.updated_at = at;
                match step_kind {
                    Step::Progress(e) => item.execution = e,
                    Step::LoggedIn => {
                        item.execution = ExecutionStatus::AccountsInProgress;
                        raised.push(Raised {
                            item_id: item.id.clone(),
                            event: WebhookEvent::ItemLoginSucceeded,
                            trigger,
                            extra: Extra::None,
                        });
                    }
                    Step::AskMfa => {
                        item.status = ItemStatus::WaitingUserInput;
                        item.execution = ExecutionStatus::WaitingUserInput;
                        let expires = at + mfa_timeout;
                        item.prompt_expires_at = Some(expires);
                        run.steps.clear();
                        run.steps.push_back((
                            expires,
                            Step::Finish(Outcome::Fail(Failure::mfa_timeout())),
                        ));
                        raised.push(Raised {
                            item_id: item.id.clone(),
                            event: WebhookEvent::ItemWaitingUserInput,
                            trigger,
                            extra: Extra::None,
                        });
                    }
                    Step::Finish(outcome) => {
                        item.sync = None;
                        let client_rules: Vec<RuleRec> = rules
                            .iter()
                            .filter(|r| r.client_id == item.client_id)
                            .cloned()
                            .collect();
                        let open_finance = shared
                            .connector(item.connector_id)
                            .is_some_and(|c| c.open_finance);
                        let done = Finished {
                            seed,
                            at,
                            trigger,
                            outcome,
                            rules: &client_rules,
                            open_finance,
                            base_url: &shared.base_url,
                        };
                        finish(item, done, &mut raised);
                    }
                }
            }
        }
        for r in raised {
            webhooks::raise(self, &r.item_id, r.event, r.trigger, r.extra);
        }
        self.advance_payments(now);
        if self.tokens.len() > 1024 {
            self.tokens.retain(|_, t| t.expires_at > now);
        }
    }

    /// When the next sync step is due, if any.
    pub(crate) fn next_due(&self) -> Option<Millis> {
        let items = self
            .items
            .values()
            .filter_map(|i| match &i.sync {
                Some(run) => run.steps.front().map(|(at, _)| *at),
                None if i.auto_sync => i.next_auto_sync_at,
                None => None,
            })
            .min();
        match (items, self.payments.next_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// How a sync ended, and what its data depends on.
struct Finished<'a> {
    seed: u64,
    at: Millis,
    trigger: TriggeredBy,
    outcome: Outcome,
    /// The item's client's category rules, oldest first.
    rules: &'a [RuleRec],
    open_finance: bool,
    base_url: &'a str,
}

fn finish(item: &mut ItemRec, done: Finished<'_>, raised: &mut Vec<Raised>) {
    let Finished {
        seed,
        at,
        trigger,
        outcome,
        rules,
        open_finance,
        base_url,
    } = done;
    item.prompt_expires_at = None;
    match &outcome {
        Outcome::Fail(f) => {
            item.status = f.status();
            item.execution = f.execution.clone();
            item.error = Some(f.clone());
            if item.status == ItemStatus::LoginError {
                item.failed_logins += 1;
                item.next_auto_sync_at = None;
            } else if item.auto_sync {
                item.next_auto_sync_at = Some(at + DAY_MS);
            }
            raised.push(Raised {
                item_id: item.id.clone(),
                event: WebhookEvent::ItemError,
                trigger,
                extra: Extra::Error(f.clone()),
            });
        }
        Outcome::Success { .. } | Outcome::Partial => {
            let plan = item.data_plan(&outcome, open_finance);
            match item.data.as_mut() {
                None => {
                    let mut new = data::generate(seed, &item.id, &plan, at);
                    new.apply_rules(rules, 0);
                    item.data = Some(new);
                }
                Some(existing) => {
                    let known = existing.transactions.len();
                    let mut rng = Rng::derived(seed, &format!("{}-{at}", item.id));
                    for account in &existing.accounts {
                        let from = item.last_updated_at.unwrap_or(at - DAY_MS);
                        let new = data::transactions(&mut rng, account, 3, from, at, at);
                        existing.transactions.extend(new);
                        raised.push(Raised {
                            item_id: item.id.clone(),
                            event: WebhookEvent::TransactionsCreated,
                            trigger: trigger.clone(),
                            extra: Extra::TransactionsCreated {
                                account_id: account.id.clone(),
                                from: at,
                                base_url: base_url.to_owned(),
                            },
                        });
                    }
                    // Only the new transactions get the rules' categories: the rest keep
                    // theirs (a `PATCH` or an earlier rule).
                    existing.apply_rules(rules, known);
                    data::sort(&mut existing.transactions);
                    existing.refresh(seed, at);
                }
            }
            item.status = ItemStatus::Updated;
            item.execution = if outcome == Outcome::Partial {
                ExecutionStatus::PartialSuccess
            } else {
                ExecutionStatus::Success
            };
            item.error = None;
            item.failed_logins = 0;
            item.last_updated_at = Some(at);
            item.next_auto_sync_at = item.auto_sync.then_some(at + DAY_MS);
            let event = if item.reported_created {
                WebhookEvent::ItemUpdated
            } else {
                WebhookEvent::ItemCreated
            };
            item.reported_created = true;
            raised.push(Raised {
                item_id: item.id.clone(),
                event,
                trigger,
                extra: Extra::None,
            });
        }
    }
    item.last_outcome = Some(outcome);
}

/// When a daily sync due at `due` starts, seen at `now`: on time when it is less than a day
/// late, so that the next one (a day after it) is still ahead; otherwise now, once, like a
/// system waking from sleep — the days missed in between are not replayed.
fn catch_up_start(due: Millis, now: Millis) -> Millis {
    if now.saturating_sub(due) < DAY_MS {
        due
    } else {
        now
    }
}
