//! Maps a request line onto the generated endpoint table (plus the legacy `/connecttokens`),
//! and an operation onto its handler.

use std::collections::HashMap;
use std::sync::OnceLock;

use percent_encoding::percent_decode_str;
use pluggy_core::Operation;
use pluggy_core::endpoint::Endpoint;

use crate::handlers::request::Ctx;
use crate::handlers::{
    accounts, auth, bills, boletos, categories, connectors, consents, identity, investments, items,
    loans, merchants, payment_parties as parties, payment_requests as requests, smart_transfers,
    transactions, webhooks,
};
use crate::reply::Reply;
use crate::world::payments;
use crate::world::state::State;

/// Where a request goes.
#[derive(Debug)]
pub(crate) enum Route {
    /// An operation of the API, with its path parameters (decoded) in template order.
    Api {
        operation: Operation,
        endpoint: &'static Endpoint,
        template: &'static str,
        params: Vec<String>,
    },
    /// A known path, but not with this method.
    MethodNotAllowed { template: &'static str },
    /// Nothing here.
    NotFound,
}

impl Route {
    /// The path template for statistics and fault rules (`/items/{id}`), if the path is known.
    pub(crate) fn template(&self) -> Option<&'static str> {
        match self {
            Route::Api { template, .. } | Route::MethodNotAllowed { template } => Some(template),
            Route::NotFound => None,
        }
    }
}

/// The legacy path of `POST /connect_token`, still used by one official SDK.
pub(crate) const LEGACY_CONNECT_TOKENS: &str = "/connecttokens";

/// Most segments of any template (`/payments/requests/{id}/automatic-pix/schedules/{id}/cancel`
/// has seven): a longer path fits none. The test that routes every operation checks it.
const MAX_SEGMENTS: usize = 8;

/// Finds the operation for `method` and `path` (path without query).
pub(crate) fn route(method: &str, path: &str) -> Route {
    if path == LEGACY_CONNECT_TOKENS || path == "/connecttokens/" {
        return if method == "POST" {
            Route::Api {
                operation: Operation::ConnectTokenCreate,
                endpoint: Operation::ConnectTokenCreate.endpoint(),
                template: LEGACY_CONNECT_TOKENS,
                params: Vec::new(),
            }
        } else {
            Route::MethodNotAllowed {
                template: LEGACY_CONNECT_TOKENS,
            }
        };
    }
    let mut split = [""; MAX_SEGMENTS];
    let mut len = 0;
    for segment in path.trim_end_matches('/').split('/').skip(1) {
        let Some(slot) = split.get_mut(len) else {
            return Route::NotFound;
        };
        *slot = segment;
        len += 1;
    }
    let segments = &split[..len];
    let Some(candidates) = segments.first().and_then(|first| templates().get(first)) else {
        return Route::NotFound;
    };
    // Among the templates that fit, the most specific wins: the one with a literal segment
    // where another has a `{param}`, at the first segment where they differ
    // (`/categories/rules` before `/categories/{id}`). Among equally specific ones, the first
    // of the table.
    let mut best: Option<&Template> = None;
    let mut known: Option<&Template> = None;
    for t in candidates {
        if !t.fits(segments) {
            continue;
        }
        let slot = if t.endpoint.method.as_str() == method {
            &mut best
        } else {
            &mut known
        };
        if slot.is_none_or(|b| t.rank.as_slice() > b.rank.as_slice()) {
            *slot = Some(t);
        }
    }
    match (best, known) {
        (Some(t), _) => Route::Api {
            operation: t.operation,
            endpoint: t.endpoint,
            template: t.endpoint.path,
            params: t.params(segments),
        },
        (None, Some(t)) => Route::MethodNotAllowed {
            template: t.endpoint.path,
        },
        (None, None) => Route::NotFound,
    }
}

/// One operation's path template, split once.
struct Template {
    operation: Operation,
    endpoint: &'static Endpoint,
    /// Each segment: `Some(literal)`, or `None` for a `{param}`.
    parts: Vec<Option<&'static str>>,
    /// Which segments are literal (see [`literals`]).
    rank: Vec<bool>,
}

impl Template {
    /// Whether `segments` fit: the same number, equal literals, non-empty parameters.
    fn fits(&self, segments: &[&str]) -> bool {
        self.parts.len() == segments.len()
            && self.parts.iter().zip(segments).all(|(p, s)| match p {
                Some(lit) => lit == s,
                None => !s.is_empty(),
            })
    }

    /// The decoded parameters of `segments`, which fit.
    fn params(&self, segments: &[&str]) -> Vec<String> {
        self.parts
            .iter()
            .zip(segments)
            .filter(|(p, _)| p.is_none())
            .map(|(_, s)| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect()
    }
}

/// Every operation's template, by its first segment (a literal in every template), each
/// group in the order of the generated table.
fn templates() -> &'static HashMap<&'static str, Vec<Template>> {
    static TABLE: OnceLock<HashMap<&'static str, Vec<Template>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<&'static str, Vec<Template>> = HashMap::new();
        for &operation in Operation::ALL {
            let endpoint = operation.endpoint();
            let parts: Vec<Option<&'static str>> = endpoint
                .path
                .split('/')
                .skip(1)
                .map(|t| (!t.starts_with('{')).then_some(t))
                .collect();
            let first = parts.first().copied().flatten().unwrap_or_default();
            table.entry(first).or_default().push(Template {
                operation,
                endpoint,
                parts,
                rank: literals(endpoint.path),
            });
        }
        table
    })
}

/// Which segments of a template are literal, in order (compared lexicographically, so that
/// a literal early in the path outranks any parameter there).
fn literals(template: &str) -> Vec<bool> {
    template
        .split('/')
        .skip(1)
        .map(|t| !t.starts_with('{'))
        .collect()
}

/// Splits a query string into decoded pairs (`+` is a space, as in HTML forms).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// What a handler answers: the reply, or the error reply.
type Answer = Result<Reply, Reply>;

/// An operation's handler, by how it takes the world.
#[derive(Clone, Copy)]
enum Handler {
    /// It only reads the world: it runs under the shared guard, so concurrent reads do not
    /// wait for each other.
    Reads(fn(&Ctx<'_>, &State) -> Answer),
    /// It may change the world: it runs under the exclusive guard.
    Changes(fn(&Ctx<'_>, &mut State) -> Answer),
}

/// The handler of `op`: one arm per operation of the generated table, with no fallback, so
/// an operation without a handler does not compile.
fn handler(op: Operation) -> Handler {
    use Handler::{Changes, Reads};
    match op {
        Operation::AuthCreate => Changes(auth::create_api_key),
        Operation::ConnectTokenCreate => Changes(auth::create_connect_token),
        Operation::ConnectorsList => Reads(|c, _| connectors::list(c)),
        Operation::ConnectorRetrieve => Reads(|c, _| connectors::retrieve(c)),
        Operation::ConnectorsValidate => Reads(|c, _| connectors::validate_parameters(c)),
        Operation::ItemsCreate => Changes(items::create),
        Operation::ItemsRetrieve => Reads(items::retrieve),
        Operation::ItemsUpdate => Changes(items::update),
        Operation::ItemsDelete => Changes(items::delete),
        Operation::ItemsSendMfa => Changes(items::send_mfa),
        Operation::ItemsDisableAutosync => Changes(items::disable_autosync),
        Operation::AccountsList => Reads(accounts::list),
        Operation::AccountsRetrieve => Reads(accounts::retrieve),
        Operation::AccountStatementsList => Reads(accounts::statements),
        Operation::AccountBalanceGet => Reads(accounts::balance),
        Operation::TransactionsList => Reads(transactions::list),
        Operation::TransactionsListByCursor => Reads(transactions::list_by_cursor),
        Operation::TransactionsRetrieve => Reads(transactions::retrieve),
        Operation::TransactionsUpdate => Changes(transactions::update),
        Operation::InvestmentsList => Reads(investments::list),
        Operation::InvestmentsRetrieve => Reads(investments::retrieve),
        Operation::InvestmentTransactionsList => Reads(investments::transactions),
        Operation::IdentityFindByItem => Reads(identity::find_by_item),
        Operation::IdentityRetrieve => Reads(identity::retrieve),
        Operation::CategoriesList => Reads(|c, _| categories::list(c)),
        Operation::CategoriesRetrieve => Reads(|c, _| categories::retrieve(c)),
        Operation::ClientCategoryRulesList => Reads(|c, s| Ok(categories::rules(c, s))),
        Operation::ClientCategoryRulesCreate => Changes(categories::create_rule),
        Operation::ClientCategoryRulesDelete => Changes(categories::delete_rule),
        Operation::LoansList => Reads(loans::list),
        Operation::LoansRetrieve => Reads(loans::retrieve),
        Operation::BillsList => Reads(bills::list),
        Operation::BillsRetrieve => Reads(bills::retrieve),
        Operation::ConsentsList => Reads(consents::list),
        Operation::ConsentRetrieve => Reads(consents::retrieve),
        Operation::MerchantsGetByCnpj => Reads(|c, _| merchants::lookup(c)),
        Operation::WebhooksList => Reads(|c, s| Ok(webhooks::list(c, s))),
        Operation::WebhooksCreate => Changes(webhooks::create),
        Operation::WebhooksRetrieve => Reads(webhooks::retrieve),
        Operation::WebhooksUpdate => Changes(webhooks::update),
        Operation::WebhooksDelete => Changes(webhooks::delete),
        Operation::PaymentCustomersList => Reads(parties::list_customers),
        Operation::PaymentCustomerCreate => Changes(parties::create_customer),
        Operation::PaymentCustomerRetrieve => Reads(parties::get_customer),
        Operation::PaymentCustomerDelete => Changes(parties::delete_customer),
        Operation::PaymentCustomerUpdate => Changes(parties::update_customer),
        Operation::PaymentRecipientsList => Reads(parties::list_recipients),
        Operation::PaymentRecipientCreate => Changes(parties::create_recipient),
        Operation::PaymentRecipientRetrieve => Reads(parties::get_recipient),
        Operation::PaymentRecipientUpdate => Changes(parties::update_recipient),
        Operation::PaymentRecipientDelete => Changes(parties::delete_recipient),
        Operation::PaymentRecipientsInstitutionList => Reads(|c, _| parties::list_institutions(c)),
        Operation::PaymentRecipientInstitutionsRetrieve => {
            Reads(|c, _| parties::get_institution(c))
        }
        Operation::PaymentRequestsList => Reads(requests::list),
        Operation::PaymentRequestCreate => Changes(requests::create),
        Operation::PaymentRequestCreateAutomaticPix => Changes(requests::create_automatic_pix),
        Operation::PaymentRequestCreateAutomaticPixSchedule => {
            Changes(requests::schedule_automatic_pix)
        }
        Operation::PaymentRequestGetAutomaticPixSchedules => Reads(requests::list_automatic_pix),
        Operation::PaymentRequestGetAutomaticPixSchedule => Reads(requests::get_automatic_pix),
        Operation::PaymentRequestCancelAutomaticPixConsent => Changes(requests::cancel_mandate),
        Operation::CancelAutomaticPixSchedule => Changes(requests::cancel_automatic_pix),
        Operation::RetryAutomaticPixSchedule => Changes(requests::retry_automatic_pix),
        Operation::PaymentRequestCreatePixQr => Changes(requests::create_pix_qr),
        Operation::PaymentRequestRetrieve => Reads(requests::retrieve),
        Operation::PaymentRequestDelete => Changes(requests::delete),
        Operation::PaymentRequestUpdate => Changes(requests::update),
        Operation::PaymentSchedulesList => Reads(requests::list_schedules),
        Operation::PaymentSchedulesCancel => Changes(requests::cancel_schedules),
        Operation::PaymentSchedulesCancelSpecific => Changes(requests::cancel_schedule),
        Operation::PaymentIntentCreate => Changes(requests::create_intent),
        Operation::PaymentIntentsList => Reads(requests::list_intents),
        Operation::PaymentIntentRetrieve => Reads(requests::get_intent),
        Operation::SmartTranfersPreauthorizationsList => {
            Reads(smart_transfers::list_preauthorizations)
        }
        Operation::SmartTransferPreauthorizationCreate => {
            Changes(smart_transfers::create_preauthorization)
        }
        Operation::SmartTransferPreauthorizationRetrieve => {
            Reads(smart_transfers::get_preauthorization)
        }
        Operation::SmartTransferPreauthorizationPaymentsList => {
            Reads(smart_transfers::list_payments)
        }
        Operation::SmartTransferPaymentCreate => Changes(smart_transfers::create_payment),
        Operation::SmartTransferPaymentretrieve => Reads(smart_transfers::get_payment),
        Operation::BoletoConnectionCreate => Changes(boletos::create_connection),
        Operation::BoletoConnectionCreateFromItem => Changes(boletos::create_connection_from_item),
        Operation::BoletoCreate => Changes(boletos::create),
        Operation::BoletoCancel => Changes(boletos::cancel),
        Operation::BoletoGet => Reads(boletos::retrieve),
    }
}

/// Runs the handler of `ctx.op` if it only reads the world; `None` for an operation that may
/// change it, which [`dispatch`] then runs under the exclusive guard.
pub(crate) fn dispatch_read(ctx: &Ctx<'_>, st: &State) -> Option<Reply> {
    match handler(ctx.op) {
        Handler::Reads(read) => Some(read(ctx, st).unwrap_or_else(|e| e)),
        Handler::Changes(_) => None,
    }
}

/// Runs the handler of `ctx.op` under the exclusive guard, whichever kind it is.
pub(crate) fn dispatch(ctx: &Ctx<'_>, st: &mut State) -> Reply {
    let result = match handler(ctx.op) {
        Handler::Reads(read) => read(ctx, st),
        Handler::Changes(change) => change(ctx, st),
    };
    // The payment events a handler raised go out with this answer.
    payments::flush_raised(st);
    result.unwrap_or_else(|e| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pluggy_core::endpoints;

    #[test]
    fn routes_by_template() {
        match route("GET", "/items/abc%20d") {
            Route::Api {
                endpoint, params, ..
            } => {
                assert_eq!(endpoint.name, "items-retrieve");
                assert_eq!(params, ["abc d"]);
            }
            other => panic!("{other:?}"),
        }
        match route("POST", "/items/x/mfa") {
            Route::Api { endpoint, .. } => assert_eq!(endpoint.name, "items-send-mfa"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            route("PUT", "/items/x"),
            Route::MethodNotAllowed {
                template: "/items/{id}"
            }
        ));
        assert!(matches!(route("GET", "/nope"), Route::NotFound));
        assert!(matches!(route("GET", "/items//mfa"), Route::NotFound));
        match route("POST", "/connecttokens") {
            Route::Api {
                endpoint, template, ..
            } => {
                assert_eq!(endpoint.name, "connect-token-create");
                assert_eq!(template, "/connecttokens");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_operation_routes_to_its_own_entry() {
        assert_eq!(Operation::ALL.len(), endpoints::ALL.len());
        for (&op, ep) in Operation::ALL.iter().zip(endpoints::ALL) {
            assert!(std::ptr::eq(op.endpoint(), *ep), "{}", ep.name);
            let path = ep.path.replace("{id}", "x");
            match route(ep.method.as_str(), &path) {
                Route::Api {
                    operation,
                    endpoint,
                    ..
                } => {
                    assert_eq!(operation, op);
                    assert!(std::ptr::eq(endpoint, *ep), "{}", ep.route);
                }
                other => panic!("{}: {other:?}", ep.route),
            }
        }
    }

    #[test]
    fn every_read_is_answered_under_the_shared_guard() {
        use crate::handlers::request::Cred;
        use crate::world::state::Shared;
        use pluggy_core::endpoint::Method;
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Shared::new(
            crate::Config::default(),
            ([127, 0, 0, 1], 0).into(),
            "http://127.0.0.1:0".to_owned(),
            tx,
            [7; 32],
        );
        let st = shared.read();
        let cred = Cred::ApiKey {
            client_id: "c".into(),
        };
        let params = ["x".to_owned(), "y".to_owned()];
        for &op in Operation::ALL {
            let ep = op.endpoint();
            let ctx = Ctx {
                shared: &shared,
                now: 0,
                op,
                ep,
                params: &params,
                query: &[],
                body: b"",
                cred: &cred,
            };
            if ep.method == Method::Get {
                assert!(dispatch_read(&ctx, &st).is_some(), "{}", ep.route);
            }
        }
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter() {
        let op = |method, path| match route(method, path) {
            Route::Api {
                operation, params, ..
            } => (operation, params),
            other => panic!("{method} {path}: {other:?}"),
        };
        assert_eq!(
            op("GET", "/categories/rules"),
            (Operation::ClientCategoryRulesList, vec![])
        );
        assert_eq!(
            op("POST", "/categories/rules"),
            (Operation::ClientCategoryRulesCreate, vec![])
        );
        assert_eq!(
            op("GET", "/categories/01000000"),
            (Operation::CategoriesRetrieve, vec!["01000000".to_owned()])
        );
        assert_eq!(
            op("DELETE", "/categories/rules/r1"),
            (Operation::ClientCategoryRulesDelete, vec!["r1".to_owned()])
        );
        assert!(matches!(
            route("DELETE", "/categories/rules"),
            Route::MethodNotAllowed {
                template: "/categories/rules"
            }
        ));
        assert!(matches!(
            route("GET", "/categories/rules/r1"),
            Route::MethodNotAllowed {
                template: "/categories/rules/{id}"
            }
        ));
        assert_eq!(literals("/categories/rules"), [true, true]);
        assert!(literals("/categories/rules") > literals("/categories/{id}"));
        assert!(literals("/a/b/{c}") > literals("/a/{b}/c"));
    }

    #[test]
    fn query_decoding() {
        let q = parse_query("a=1&name=Pluggy+Bank&c=%2B&flag&=x");
        assert_eq!(q[1], ("name".into(), "Pluggy Bank".into()));
        assert_eq!(q[2], ("c".into(), "+".into()));
        assert_eq!(q[3], ("flag".into(), "".into()));
    }
}
