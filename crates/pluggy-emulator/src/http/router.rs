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

/// Runs the handler of `ctx.op` if it only reads the world (it takes the state shared, so
/// concurrent reads do not wait for each other); `None` for an operation that may change it,
/// which [`dispatch`] then runs under the exclusive guard.
pub(crate) fn dispatch_read(ctx: &Ctx<'_>, st: &State) -> Option<Reply> {
    let result = match ctx.op {
        Operation::ConnectorsList => connectors::list(ctx),
        Operation::ConnectorRetrieve => connectors::retrieve(ctx),
        Operation::ConnectorsValidate => connectors::validate_parameters(ctx),
        Operation::ItemsRetrieve => items::retrieve(ctx, st),
        Operation::AccountsList => accounts::list(ctx, st),
        Operation::AccountsRetrieve => accounts::retrieve(ctx, st),
        Operation::AccountStatementsList => accounts::statements(ctx, st),
        Operation::AccountBalanceGet => accounts::balance(ctx, st),
        Operation::TransactionsList => transactions::list(ctx, st),
        Operation::TransactionsListByCursor => transactions::list_by_cursor(ctx, st),
        Operation::TransactionsRetrieve => transactions::retrieve(ctx, st),
        Operation::InvestmentsList => investments::list(ctx, st),
        Operation::InvestmentsRetrieve => investments::retrieve(ctx, st),
        Operation::InvestmentTransactionsList => investments::transactions(ctx, st),
        Operation::IdentityFindByItem => identity::find_by_item(ctx, st),
        Operation::IdentityRetrieve => identity::retrieve(ctx, st),
        Operation::CategoriesList => categories::list(ctx),
        Operation::CategoriesRetrieve => categories::retrieve(ctx),
        Operation::ClientCategoryRulesList => Ok(categories::rules(ctx, st)),
        Operation::LoansList => loans::list(ctx, st),
        Operation::LoansRetrieve => loans::retrieve(ctx, st),
        Operation::BillsList => bills::list(ctx, st),
        Operation::BillsRetrieve => bills::retrieve(ctx, st),
        Operation::ConsentsList => consents::list(ctx, st),
        Operation::ConsentRetrieve => consents::retrieve(ctx, st),
        Operation::MerchantsGetByCnpj => merchants::lookup(ctx),
        Operation::WebhooksList => Ok(webhooks::list(ctx, st)),
        Operation::WebhooksRetrieve => webhooks::retrieve(ctx, st),
        Operation::PaymentCustomersList => parties::list_customers(ctx, st),
        Operation::PaymentCustomerRetrieve => parties::get_customer(ctx, st),
        Operation::PaymentRecipientsList => parties::list_recipients(ctx, st),
        Operation::PaymentRecipientRetrieve => parties::get_recipient(ctx, st),
        Operation::PaymentRecipientsInstitutionList => parties::list_institutions(ctx),
        Operation::PaymentRecipientInstitutionsRetrieve => parties::get_institution(ctx),
        Operation::PaymentRequestsList => requests::list(ctx, st),
        Operation::PaymentRequestGetAutomaticPixSchedules => requests::list_automatic_pix(ctx, st),
        Operation::PaymentRequestGetAutomaticPixSchedule => requests::get_automatic_pix(ctx, st),
        Operation::PaymentRequestRetrieve => requests::retrieve(ctx, st),
        Operation::PaymentSchedulesList => requests::list_schedules(ctx, st),
        Operation::PaymentIntentsList => requests::list_intents(ctx, st),
        Operation::PaymentIntentRetrieve => requests::get_intent(ctx, st),
        Operation::SmartTranfersPreauthorizationsList => {
            smart_transfers::list_preauthorizations(ctx, st)
        }
        Operation::SmartTransferPreauthorizationRetrieve => {
            smart_transfers::get_preauthorization(ctx, st)
        }
        Operation::SmartTransferPreauthorizationPaymentsList => {
            smart_transfers::list_payments(ctx, st)
        }
        Operation::SmartTransferPaymentretrieve => smart_transfers::get_payment(ctx, st),
        Operation::BoletoGet => boletos::retrieve(ctx, st),
        _ => return None,
    };
    Some(result.unwrap_or_else(|e| e))
}

/// Runs the handler of `ctx.op`: one arm per operation of the generated table, with no
/// fallback, so an operation without a handler does not compile.
pub(crate) fn dispatch(ctx: &Ctx<'_>, st: &mut State) -> Reply {
    let result = match ctx.op {
        Operation::AuthCreate => auth::create_api_key(ctx, st),
        Operation::ConnectTokenCreate => auth::create_connect_token(ctx, st),
        Operation::ConnectorsList => connectors::list(ctx),
        Operation::ConnectorRetrieve => connectors::retrieve(ctx),
        Operation::ConnectorsValidate => connectors::validate_parameters(ctx),
        Operation::ItemsCreate => items::create(ctx, st),
        Operation::ItemsRetrieve => items::retrieve(ctx, st),
        Operation::ItemsUpdate => items::update(ctx, st),
        Operation::ItemsDelete => items::delete(ctx, st),
        Operation::ItemsSendMfa => items::send_mfa(ctx, st),
        Operation::ItemsDisableAutosync => items::disable_autosync(ctx, st),
        Operation::AccountsList => accounts::list(ctx, st),
        Operation::AccountsRetrieve => accounts::retrieve(ctx, st),
        Operation::AccountStatementsList => accounts::statements(ctx, st),
        Operation::AccountBalanceGet => accounts::balance(ctx, st),
        Operation::TransactionsList => transactions::list(ctx, st),
        Operation::TransactionsListByCursor => transactions::list_by_cursor(ctx, st),
        Operation::TransactionsRetrieve => transactions::retrieve(ctx, st),
        Operation::TransactionsUpdate => transactions::update(ctx, st),
        Operation::InvestmentsList => investments::list(ctx, st),
        Operation::InvestmentsRetrieve => investments::retrieve(ctx, st),
        Operation::InvestmentTransactionsList => investments::transactions(ctx, st),
        Operation::IdentityFindByItem => identity::find_by_item(ctx, st),
        Operation::IdentityRetrieve => identity::retrieve(ctx, st),
        Operation::CategoriesList => categories::list(ctx),
        Operation::CategoriesRetrieve => categories::retrieve(ctx),
        Operation::ClientCategoryRulesList => Ok(categories::rules(ctx, st)),
        Operation::ClientCategoryRulesCreate => categories::create_rule(ctx, st),
        Operation::ClientCategoryRulesDelete => categories::delete_rule(ctx, st),
        Operation::LoansList => loans::list(ctx, st),
        Operation::LoansRetrieve => loans::retrieve(ctx, st),
        Operation::BillsList => bills::list(ctx, st),
        Operation::BillsRetrieve => bills::retrieve(ctx, st),
        Operation::ConsentsList => consents::list(ctx, st),
        Operation::ConsentRetrieve => consents::retrieve(ctx, st),
        Operation::MerchantsGetByCnpj => merchants::lookup(ctx),
        Operation::WebhooksList => Ok(webhooks::list(ctx, st)),
        Operation::WebhooksCreate => webhooks::create(ctx, st),
        Operation::WebhooksRetrieve => webhooks::retrieve(ctx, st),
        Operation::WebhooksUpdate => webhooks::update(ctx, st),
        Operation::WebhooksDelete => webhooks::delete(ctx, st),
        Operation::PaymentCustomersList => parties::list_customers(ctx, st),
        Operation::PaymentCustomerCreate => parties::create_customer(ctx, st),
        Operation::PaymentCustomerRetrieve => parties::get_customer(ctx, st),
        Operation::PaymentCustomerDelete => parties::delete_customer(ctx, st),
        Operation::PaymentCustomerUpdate => parties::update_customer(ctx, st),
        Operation::PaymentRecipientsList => parties::list_recipients(ctx, st),
        Operation::PaymentRecipientCreate => parties::create_recipient(ctx, st),
        Operation::PaymentRecipientRetrieve => parties::get_recipient(ctx, st),
        Operation::PaymentRecipientUpdate => parties::update_recipient(ctx, st),
        Operation::PaymentRecipientDelete => parties::delete_recipient(ctx, st),
        Operation::PaymentRecipientsInstitutionList => parties::list_institutions(ctx),
        Operation::PaymentRecipientInstitutionsRetrieve => parties::get_institution(ctx),
        Operation::PaymentRequestsList => requests::list(ctx, st),
        Operation::PaymentRequestCreate => requests::create(ctx, st),
        Operation::PaymentRequestCreateAutomaticPix => requests::create_automatic_pix(ctx, st),
        Operation::PaymentRequestCreateAutomaticPixSchedule => {
            requests::schedule_automatic_pix(ctx, st)
        }
        Operation::PaymentRequestGetAutomaticPixSchedules => requests::list_automatic_pix(ctx, st),
        Operation::PaymentRequestGetAutomaticPixSchedule => requests::get_automatic_pix(ctx, st),
        Operation::PaymentRequestCancelAutomaticPixConsent => requests::cancel_mandate(ctx, st),
        Operation::CancelAutomaticPixSchedule => requests::cancel_automatic_pix(ctx, st),
        Operation::RetryAutomaticPixSchedule => requests::retry_automatic_pix(ctx, st),
        Operation::PaymentRequestCreatePixQr => requests::create_pix_qr(ctx, st),
        Operation::PaymentRequestRetrieve => requests::retrieve(ctx, st),
        Operation::PaymentRequestDelete => requests::delete(ctx, st),
        Operation::PaymentRequestUpdate => requests::update(ctx, st),
        Operation::PaymentSchedulesList => requests::list_schedules(ctx, st),
        Operation::PaymentSchedulesCancel => requests::cancel_schedules(ctx, st),
        Operation::PaymentSchedulesCancelSpecific => requests::cancel_schedule(ctx, st),
        Operation::PaymentIntentCreate => requests::create_intent(ctx, st),
        Operation::PaymentIntentsList => requests::list_intents(ctx, st),
        Operation::PaymentIntentRetrieve => requests::get_intent(ctx, st),
        Operation::SmartTranfersPreauthorizationsList => {
            smart_transfers::list_preauthorizations(ctx, st)
        }
        Operation::SmartTransferPreauthorizationCreate => {
            smart_transfers::create_preauthorization(ctx, st)
        }
        Operation::SmartTransferPreauthorizationRetrieve => {
            smart_transfers::get_preauthorization(ctx, st)
        }
        Operation::SmartTransferPreauthorizationPaymentsList => {
            smart_transfers::list_payments(ctx, st)
        }
        Operation::SmartTransferPaymentCreate => smart_transfers::create_payment(ctx, st),
        Operation::SmartTransferPaymentretrieve => smart_transfers::get_payment(ctx, st),
        Operation::BoletoConnectionCreate => boletos::create_connection(ctx, st),
        Operation::BoletoConnectionCreateFromItem => boletos::create_connection_from_item(ctx, st),
        Operation::BoletoCreate => boletos::create(ctx, st),
        Operation::BoletoCancel => boletos::cancel(ctx, st),
        Operation::BoletoGet => boletos::retrieve(ctx, st),
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
