//! One constructor per operation, each giving the typed [`Request`](crate::operation::Request)
//! a driver executes: which endpoint, which path and query parameters, which body, which answer.
//! They are expanded from the one operation list, [`for_each_operation!`](crate::for_each_operation),
//! as are both drivers' methods, so the async and blocking clients cannot drift apart.

use crate::error::Error;
use crate::http::Call;

crate::for_each_operation!(crate::calls::define_calls);

/// Calls `$callback!` with the list of every operation the clients offer, in groups that say
/// which client offers it (see [`Offered`](crate::operation::Offered)). `for_each_operation!(path::to::callback; EXTRA)`
/// passes the tokens `EXTRA` along in front of the list:
///
/// ```text
/// $callback! {
///     [EXTRA]
///     both { ENTRY* }            // Client and ConnectClient
///     creates_item { ENTRY* }    // both; the connect client records the created item
///     full_view { ENTRY* }       // Client: the full view
///     reduced_view { ENTRY* }    // ConnectClient: the reduced view of the same endpoint
///     wrapped { ENTRY* }         // Client, through a method that wraps the answer
///     api_key_only { ENTRY* }    // Client only
///     pagers { PAGER* }          // Client: every item of a paged list, page after page
/// }
/// ENTRY: /// docs
///        fn name(arg: Type, …) -> Output = ENDPOINT_CONST |call| expression building on `call`;
/// PAGER: /// docs
///        fn name(arg: Type, …) -> PageType = constructor(arg expressions, …);
/// ```
///
/// Adding an operation means one entry here (plus its models); core's constructors, both
/// drivers' methods and the list [`calls::operations`](crate::calls::operations) follow from it, and
/// a test checks each entry's group against the endpoint's access rule.
#[macro_export]
macro_rules! for_each_operation {
    ($($callback:ident)::+ $(; $($extra:tt)*)?) => {
        $($callback)::+! {
            [$($($extra)*)?]
            both {
                /// `GET /connectors`: the connectors, filtered.
                fn list_connectors(filters: &$crate::models::ConnectorFilters)
                    -> $crate::models::Page<$crate::models::Connector>
                    = CONNECTORS_LIST |call| filters.apply(call);
                /// `GET /connectors/{id}`.
                fn get_connector(id: $crate::ConnectorId) -> $crate::models::Connector
                    = CONNECTOR_RETRIEVE |call| call.path_param("id", id.to_string());
                /// `POST /connectors/{id}/validate`: checks credentials against the connector's
                /// rules. The answer's `errors` name each failing parameter.
                fn validate_connector(
                    id: $crate::ConnectorId,
                    parameters: &$crate::models::ItemParameters
                ) -> $crate::models::ValidationResponse
                    = CONNECTORS_VALIDATE |call| call.path_param("id", id.to_string()).json(parameters);
                /// `GET /items/{id}` (for a connect client, an item in its token's scope).
                fn get_item(id: &$crate::ItemId) -> $crate::models::Item
                    = ITEMS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `PATCH /items/{id}`: starts a new sync (for a connect client, of an item in its
                /// token's scope).
                fn update_item(
                    id: &$crate::ItemId,
                    request: &$crate::models::UpdateItemRequest
                ) -> $crate::models::Item
                    = ITEMS_UPDATE |call| call.path_param("id", id.as_str()).json(request);
                /// `POST /items/{id}/mfa`: answers the item's MFA prompt (`{prompt name: value}`).
                fn send_mfa(
                    id: &$crate::ItemId,
                    answers: &$crate::models::ItemParameters
                ) -> $crate::models::Item
                    = ITEMS_SEND_MFA |call| call.path_param("id", id.as_str()).json(answers);
            }
            creates_item {
                /// `POST /items`. Never retried automatically: a duplicate would open a second
                /// bank connection. A connect client takes the new item into its token's scope.
                fn create_item(request: &$crate::models::CreateItemRequest) -> $crate::models::Item
                    = ITEMS_CREATE |call| call.json(request);
            }
            full_view {
                /// `GET /accounts?itemId=…[&type=…]`, the full view.
                fn list_accounts(
                    item_id: &$crate::ItemId,
                    kind: Option<&$crate::models::AccountType>
                ) -> $crate::models::Page<$crate::models::Account>
                    = ACCOUNTS_LIST |call| call
                        .query("itemId", item_id.as_str())
                        .query_opt("type", kind.map(|k| k.as_str().to_owned()));
            }
            reduced_view {
                /// `GET /accounts?itemId=…` in the reduced view a connect token gets.
                fn list_accounts(item_id: &$crate::ItemId)
                    -> $crate::models::Page<$crate::models::ReducedAccount>
                    = ACCOUNTS_LIST |call| call.query("itemId", item_id.as_str());
            }
            wrapped {
                /// `POST /connect_token`. `Client::create_connect_token` turns the answer into a
                /// grant that knows the token's expiry and scope.
                fn create_connect_token(request: &$crate::models::ConnectTokenRequest)
                    -> $crate::models::ConnectTokenResponse
                    = CONNECT_TOKEN_CREATE |call| call.json(request);
            }
            api_key_only {
                /// `DELETE /items/{id}`.
                fn delete_item(id: &$crate::ItemId) -> $crate::models::DeleteCount
                    = ITEMS_DELETE |call| call.path_param("id", id.as_str());
                /// `PATCH /items/{id}/disable-auto-sync`.
                fn disable_auto_sync(id: &$crate::ItemId) -> $crate::models::Item
                    = ITEMS_DISABLE_AUTOSYNC |call| call.path_param("id", id.as_str());
                /// `GET /accounts/{id}`.
                fn get_account(id: &$crate::AccountId) -> $crate::models::Account
                    = ACCOUNTS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /accounts/{id}/statements`: one page of the account's statements.
                fn list_account_statements(account_id: &$crate::AccountId)
                    -> $crate::models::Page<$crate::models::AccountStatement>
                    = ACCOUNT_STATEMENTS_LIST |call| call.path_param("id", account_id.as_str());
                /// `GET /accounts/{id}/balance`: the balance as the institution reports it now.
                fn get_account_balance(account_id: &$crate::AccountId)
                    -> $crate::models::AccountBalance
                    = ACCOUNT_BALANCE_GET |call| call.path_param("id", account_id.as_str());
                /// `GET /transactions?accountId=…`: one page (page style).
                #[deprecated(
                    note = "Pluggy retires `GET /transactions` on 2026-12-31: use `transactions` \
                            (every transaction over the cursor pages of `GET /v2/transactions`) or \
                            `list_transactions_cursor`"
                )]
                fn list_transactions(
                    account_id: &$crate::AccountId,
                    filters: &$crate::models::TransactionFilters
                ) -> $crate::models::Page<$crate::models::Transaction>
                    = TRANSACTIONS_LIST |call| filters.apply(call.query("accountId", account_id.as_str()));
                /// `GET /v2/transactions?accountId=…`: one cursor page. Pass its `next` to
                /// `next_transactions_page`.
                fn list_transactions_cursor(
                    account_id: &$crate::AccountId,
                    filters: &$crate::models::CursorTransactionFilters
                ) -> $crate::models::CursorPage<$crate::models::Transaction>
                    = TRANSACTIONS_LIST_BY_CURSOR |call| filters.apply(call.query("accountId", account_id.as_str()));
                /// `GET /v2/transactions` at the `next` query string a cursor page gave back,
                /// sent verbatim.
                fn next_transactions_page(next: &str)
                    -> $crate::models::CursorPage<$crate::models::Transaction>
                    = TRANSACTIONS_LIST_BY_CURSOR |call| call.raw_query(next);
                /// `GET /transactions/{id}`.
                fn get_transaction(id: &$crate::TransactionId) -> $crate::models::Transaction
                    = TRANSACTIONS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `PATCH /transactions/{id}`: sets the transaction's category (what later reads
                /// return, and what Pluggy learns from).
                fn update_transaction_category(
                    id: &$crate::TransactionId,
                    category_id: &$crate::CategoryId
                ) -> $crate::models::Transaction
                    = TRANSACTIONS_UPDATE |call| call.path_param("id", id.as_str()).json(
                        &$crate::models::UpdateTransaction { category_id: category_id.clone() },
                    );
                /// `GET /identity?itemId=…`.
                fn get_identity_by_item(item_id: &$crate::ItemId) -> $crate::models::Identity
                    = IDENTITY_FIND_BY_ITEM |call| call.query("itemId", item_id.as_str());
                /// `GET /identity/{id}`.
                fn get_identity(id: &$crate::IdentityId) -> $crate::models::Identity
                    = IDENTITY_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /investments?itemId=…`: one page.
                fn list_investments(
                    item_id: &$crate::ItemId,
                    filters: &$crate::models::InvestmentFilters
                ) -> $crate::models::Page<$crate::models::Investment>
                    = INVESTMENTS_LIST |call| filters.apply(call.query("itemId", item_id.as_str()));
                /// `GET /investments/{id}`.
                fn get_investment(id: &$crate::InvestmentId) -> $crate::models::Investment
                    = INVESTMENTS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /investments/{id}/transactions`: one page.
                fn list_investment_transactions(
                    id: &$crate::InvestmentId,
                    page: Option<u32>,
                    page_size: Option<u32>
                ) -> $crate::models::Page<$crate::models::InvestmentTransaction>
                    = INVESTMENT_TRANSACTIONS_LIST |call| call
                        .path_param("id", id.as_str())
                        .query_opt("page", page.map(|p| p.to_string()))
                        .query_opt("pageSize", page_size.map(|p| p.to_string()));
                /// `GET /categories[?parentId=…]`: the category tree, or one branch of it.
                fn list_categories(filters: &$crate::models::CategoryFilters)
                    -> $crate::models::Page<$crate::models::Category>
                    = CATEGORIES_LIST |call| filters.apply(call);
                /// `GET /categories/{id}`.
                fn get_category(id: &$crate::CategoryId) -> $crate::models::Category
                    = CATEGORIES_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /categories/rules`: the application's category rules.
                fn list_category_rules()
                    -> $crate::models::Page<$crate::models::CategoryRule>
                    = CLIENT_CATEGORY_RULES_LIST |call| call;
                /// `POST /categories/rules`: a rule that categorizes the matching transactions
                /// synced after it. Never retried automatically: a repeat would add a second rule.
                fn create_category_rule(rule: &$crate::models::CreateCategoryRule)
                    -> $crate::models::CategoryRule
                    = CLIENT_CATEGORY_RULES_CREATE |call| call.json(rule);
                /// `DELETE /categories/rules/{id}`.
                fn delete_category_rule(id: &$crate::CategoryRuleId) -> ()
                    = CLIENT_CATEGORY_RULES_DELETE |call| call.path_param("id", id.as_str());
                /// `GET /loans?itemId=…`: one page of the item's loans.
                fn list_loans(item_id: &$crate::ItemId)
                    -> $crate::models::Page<$crate::models::Loan>
                    = LOANS_LIST |call| call.query("itemId", item_id.as_str());
                /// `GET /loans/{id}`.
                fn get_loan(id: &$crate::LoanId) -> $crate::models::Loan
                    = LOANS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /bills?accountId=…`: one page of a credit-card account's bills.
                fn list_bills(account_id: &$crate::AccountId)
                    -> $crate::models::Page<$crate::models::Bill>
                    = BILLS_LIST |call| call.query("accountId", account_id.as_str());
                /// `GET /bills/{id}`.
                fn get_bill(id: &$crate::BillId) -> $crate::models::Bill
                    = BILLS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /consents?itemId=…`: one page of an Open Finance item's consents.
                fn list_consents(item_id: &$crate::ItemId)
                    -> $crate::models::Page<$crate::models::Consent>
                    = CONSENTS_LIST |call| call.query("itemId", item_id.as_str());
                /// `GET /consents/{id}`.
                fn get_consent(id: &$crate::ConsentId) -> $crate::models::Consent
                    = CONSENT_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /merchants?cnpjs=…`: the merchants of these CNPJs, and which were not
                /// found or are not valid CNPJs.
                fn find_merchants(cnpjs: &[String]) -> $crate::models::MerchantLookup
                    = MERCHANTS_GET_BY_CNPJ |call| call.query_list("cnpjs", cnpjs);
                /// `GET /webhooks`.
                fn list_webhooks() -> $crate::models::Page<$crate::models::Webhook>
                    = WEBHOOKS_LIST |call| call;
                /// `POST /webhooks`. Headers HTTP cannot carry are refused before anything is
                /// sent.
                fn create_webhook(request: &$crate::models::CreateWebhook) -> $crate::models::Webhook
                    = WEBHOOKS_CREATE |call| $crate::calls::checked_headers(
                        request.headers.as_ref(),
                        call,
                    ).and_then(|call| call.json(request));
                /// `GET /webhooks/{id}`.
                fn get_webhook(id: &$crate::WebhookId) -> $crate::models::Webhook
                    = WEBHOOKS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `PATCH /webhooks/{id}`. Headers HTTP cannot carry are refused before anything
                /// is sent.
                fn update_webhook(
                    id: &$crate::WebhookId,
                    request: &$crate::models::UpdateWebhook
                ) -> $crate::models::Webhook
                    = WEBHOOKS_UPDATE |call| $crate::calls::checked_headers(
                        request.headers.as_ref().and_then(Option::as_ref),
                        call.path_param("id", id.as_str()),
                    ).and_then(|call| call.json(request));
                /// `DELETE /webhooks/{id}`.
                fn delete_webhook(id: &$crate::WebhookId) -> $crate::models::DeleteCount
                    = WEBHOOKS_DELETE |call| call.path_param("id", id.as_str());
            }
            pagers {
                /// Every transaction of an account, over the cursor pages of
                /// `GET /v2/transactions`, fetched as they are read.
                fn transactions(
                    account_id: &$crate::AccountId,
                    filters: &$crate::models::CursorTransactionFilters
                ) -> $crate::models::CursorPage<$crate::models::Transaction>
                    = list_transactions_cursor(account_id, filters);
                /// Every investment of an item, over the pages of `GET /investments`.
                fn investments(
                    item_id: &$crate::ItemId,
                    filters: &$crate::models::InvestmentFilters
                ) -> $crate::models::Page<$crate::models::Investment>
                    = list_investments(item_id, filters);
                /// Every transaction of an investment, over the pages of
                /// `GET /investments/{id}/transactions`.
                fn investment_transactions(
                    id: &$crate::InvestmentId,
                    page_size: Option<u32>
                ) -> $crate::models::Page<$crate::models::InvestmentTransaction>
                    = list_investment_transactions(id, None, page_size);
                /// Every statement of an account, over the pages of
                /// `GET /accounts/{id}/statements`.
                fn account_statements(account_id: &$crate::AccountId)
                    -> $crate::models::Page<$crate::models::AccountStatement>
                    = list_account_statements(account_id);
                /// Every category (or every one under `filters.parent_id`), over the pages of
                /// `GET /categories`.
                fn categories(filters: &$crate::models::CategoryFilters)
                    -> $crate::models::Page<$crate::models::Category>
                    = list_categories(filters);
                /// Every category rule of the application, over the pages of
                /// `GET /categories/rules`.
                fn category_rules() -> $crate::models::Page<$crate::models::CategoryRule>
                    = list_category_rules();
                /// Every loan of an item, over the pages of `GET /loans`.
                fn loans(item_id: &$crate::ItemId) -> $crate::models::Page<$crate::models::Loan>
                    = list_loans(item_id);
                /// Every bill of a credit-card account, over the pages of `GET /bills`.
                fn bills(account_id: &$crate::AccountId)
                    -> $crate::models::Page<$crate::models::Bill>
                    = list_bills(account_id);
                /// Every consent of an item, over the pages of `GET /consents`.
                fn consents(item_id: &$crate::ItemId)
                    -> $crate::models::Page<$crate::models::Consent>
                    = list_consents(item_id);
            }
        }
    };
}

/// Refuses webhook headers that HTTP cannot carry, before the call is sent.
pub fn checked_headers(
    headers: Option<&crate::models::WebhookHeaders>,
    call: Call,
) -> Result<Call, Error> {
    if let Some(headers) = headers {
        headers.check()?;
    }
    Ok(call)
}

/// Expands the operation list into the constructors of this module and the list
/// [`operations`].
macro_rules! define_calls {
    (
        []
        both { $($both:tt)* }
        creates_item { $($creates:tt)* }
        full_view { $($full:tt)* }
        reduced_view { $($reduced:tt)* }
        wrapped { $($wrapped:tt)* }
        api_key_only { $($key:tt)* }
        pagers { $($pagers:tt)* }
    ) => {
        $crate::calls::define_calls!(@fns $($both)* $($creates)* $($full)* $($wrapped)* $($key)*);
        /// The constructors of the reduced-view operations a connect client makes.
        pub mod reduced {
            $crate::calls::define_calls!(@fns $($reduced)*);
        }
        /// Every operation of the list, as data, in list order.
        pub fn operations() -> Vec<$crate::operation::OperationInfo> {
            [
                $crate::calls::define_calls!(@info Both $($both)*),
                $crate::calls::define_calls!(@info BothCreatesItem $($creates)*),
                $crate::calls::define_calls!(@info FullView $($full)*),
                $crate::calls::define_calls!(@info ReducedView $($reduced)*),
                $crate::calls::define_calls!(@info Wrapped $($wrapped)*),
                $crate::calls::define_calls!(@info ApiKeyOnly $($key)*),
            ]
            .concat()
        }
    };
    (@fns $(
        $(#[$meta:meta])*
        fn $name:ident ( $($arg:ident : $argty:ty),* $(,)? ) -> $out:ty
            = $ep:ident |$call:ident| $body:expr;
    )*) => {
        $(
            $(#[$meta])*
            pub fn $name($($arg: $argty),*) -> $crate::operation::Request<$out> {
                let $call = $crate::http::Call::new(&$crate::endpoints::$ep);
                $crate::operation::Request::new($body)
            }
        )*
    };
    (@info $offered:ident $(
        $(#[$meta:meta])*
        fn $name:ident ( $($arg:ident : $argty:ty),* $(,)? ) -> $out:ty
            = $ep:ident |$call:ident| $body:expr;
    )*) => {
        vec![$(
            $crate::operation::OperationInfo {
                name: stringify!($name),
                endpoint: &$crate::endpoints::$ep,
                offered: $crate::operation::Offered::$offered,
            },
        )*]
    };
}

pub(crate) use define_calls;

/// The methods of a driver's `Client` and `ConnectClient`, one per entry of
/// [`for_each_operation!`](crate::for_each_operation), for a driver whose clients have
/// `send(request)`, `record_created(&item)` (the connect client) and `pages(request)` (the
/// client) methods. `client_methods!(async)` expands async methods, `client_methods!(blocking)`
/// blocking ones.
#[macro_export]
macro_rules! client_methods {
    (async) => {
        $crate::for_each_operation!($crate::__client_methods; [async] [.await]);
    };
    (blocking) => {
        $crate::for_each_operation!($crate::__client_methods; [] []);
    };
}

/// The expansion of [`client_methods!`](crate::client_methods) over the operation list.
#[doc(hidden)]
#[macro_export]
macro_rules! __client_methods {
    (
        [[$($kw:tt)?] [$($aw:tt)*]]
        both { $($both:tt)* }
        creates_item { $($creates:tt)* }
        full_view { $($full:tt)* }
        reduced_view { $($reduced:tt)* }
        wrapped { $($wrapped:tt)* }
        api_key_only { $($key:tt)* }
        pagers { $($pagers:tt)* }
    ) => {
        impl Client {
            $crate::__client_methods!(
                @send [$($kw)?] [$($aw)*] [$crate::calls]
                $($both)* $($creates)* $($full)* $($key)*
            );
            $crate::__client_methods!(@pagers $($pagers)*);
        }
        impl ConnectClient {
            $crate::__client_methods!(@send [$($kw)?] [$($aw)*] [$crate::calls] $($both)*);
            $crate::__client_methods!(
                @send [$($kw)?] [$($aw)*] [$crate::calls::reduced] $($reduced)*
            );
            $crate::__client_methods!(@creates [$($kw)?] [$($aw)*] $($creates)*);
        }
    };
    (@send [$($kw:tt)?] [$($aw:tt)*] [$($calls:tt)*]) => {};
    (@send [$($kw:tt)?] [$($aw:tt)*] [$($calls:tt)*]
        $(#[$meta:meta])*
        fn $name:ident ( $($arg:ident : $argty:ty),* $(,)? ) -> $out:ty
            = $ep:ident |$call:ident| $body:expr;
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        pub $($kw)? fn $name(&self, $($arg: $argty),*) -> Result<$out, $crate::Error> {
            #[allow(deprecated)]
            let request = $($calls)*::$name($($arg),*);
            self.send(request) $($aw)*
        }
        $crate::__client_methods!(@send [$($kw)?] [$($aw)*] [$($calls)*] $($rest)*);
    };
    (@creates [$($kw:tt)?] [$($aw:tt)*]) => {};
    (@creates [$($kw:tt)?] [$($aw:tt)*]
        $(#[$meta:meta])*
        fn $name:ident ( $($arg:ident : $argty:ty),* $(,)? ) -> $out:ty
            = $ep:ident |$call:ident| $body:expr;
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        pub $($kw)? fn $name(&self, $($arg: $argty),*) -> Result<$out, $crate::Error> {
            let item = self.send($crate::calls::$name($($arg),*)) $($aw)* ?;
            self.record_created(&item);
            Ok(item)
        }
        $crate::__client_methods!(@creates [$($kw)?] [$($aw)*] $($rest)*);
    };
    (@pagers $(
        $(#[$meta:meta])*
        fn $name:ident ( $($arg:ident : $argty:ty),* $(,)? ) -> $page:ty
            = $target:ident ( $($targ:expr),* $(,)? );
    )*) => {$(
        $(#[$meta])*
        pub fn $name(&self, $($arg: $argty),*) -> Pages<$page> {
            self.pages($crate::calls::$target($($targ),*))
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{Access, ItemBinding, View};
    use crate::error::Error;
    use crate::http::{BaseUrl, Credential};
    use crate::ids::{
        AccountId, BillId, CategoryId, CategoryRuleId, ConnectorId, ConsentId, IdentityId,
        InvestmentId, ItemId, LoanId, TransactionId, WebhookId,
    };
    use crate::models::{
        AccountType, CategoryFilters, ConnectTokenRequest, ConnectorFilters, CreateCategoryRule,
        CreateItemRequest, CreateWebhook, CursorTransactionFilters, InvestmentFilters,
        ItemParameters, TransactionFilters, UpdateItemRequest, UpdateWebhook,
    };
    use crate::operation::{IntoCall, Offered};
    use crate::secret::ApiKey;

    fn url(request: impl IntoCall) -> String {
        let key = ApiKey::new("k");
        request
            .into_call()
            .unwrap()
            .prepare(&BaseUrl::default(), Credential::ApiKey(&key), "t")
            .unwrap()
            .url()
            .to_owned()
    }

    #[test]
    #[allow(deprecated)]
    fn every_constructor_prepares_against_the_table() {
        let item = ItemId::new("it-1");
        let acc = AccountId::new("ac/1");
        let params = ItemParameters::new().with("user", "user-ok");
        fn check(request: impl IntoCall, path: &str) {
            let call = request.into_call().unwrap();
            let route = call.endpoint().route;
            assert_eq!(url(call), format!("https://api.pluggy.ai{path}"), "{route}");
        }
        check(get_item(&item), "/items/it-1");
        check(list_accounts(&item, None), "/accounts?itemId=it-1");
        check(
            list_accounts(&item, Some(&AccountType::Credit)),
            "/accounts?itemId=it-1&type=CREDIT",
        );
        check(
            list_transactions(
                &acc,
                &TransactionFilters {
                    page: Some(2),
                    ..Default::default()
                },
            ),
            "/transactions?accountId=ac%2F1&page=2",
        );
        check(
            next_transactions_page("?accountId=ac&after=a+b=="),
            "/v2/transactions?accountId=ac&after=a+b==",
        );
        check(get_connector(ConnectorId::new(0)), "/connectors/0");
        check(
            list_investment_transactions(&InvestmentId::new("i"), Some(1), None),
            "/investments/i/transactions?page=1",
        );
        check(
            list_investment_transactions(&InvestmentId::new("i"), None, Some(50)),
            "/investments/i/transactions?pageSize=50",
        );
        check(get_identity_by_item(&item), "/identity?itemId=it-1");
        check(get_identity(&IdentityId::new("x y")), "/identity/x%20y");
        check(get_transaction(&TransactionId::new("t")), "/transactions/t");
        check(get_investment(&InvestmentId::new("i")), "/investments/i");
        check(
            list_investments(&item, &InvestmentFilters::default()),
            "/investments?itemId=it-1",
        );
        check(
            list_transactions_cursor(&acc, &CursorTransactionFilters::default()),
            "/v2/transactions?accountId=ac%2F1",
        );
        check(get_account(&acc), "/accounts/ac%2F1");
        check(delete_item(&item), "/items/it-1");
        check(disable_auto_sync(&item), "/items/it-1/disable-auto-sync");
        check(list_webhooks(), "/webhooks");
        check(get_webhook(&WebhookId::new("w")), "/webhooks/w");
        check(delete_webhook(&WebhookId::new("w")), "/webhooks/w");
        check(list_connectors(&ConnectorFilters::default()), "/connectors");
        check(
            create_item(&CreateItemRequest::new(ConnectorId::new(0), params.clone())),
            "/items",
        );
        check(send_mfa(&item, &params), "/items/it-1/mfa");
        check(
            validate_connector(ConnectorId::new(0), &params),
            "/connectors/0/validate",
        );
        check(
            update_item(&item, &UpdateItemRequest::default()),
            "/items/it-1",
        );
        check(
            create_connect_token(&ConnectTokenRequest::default()),
            "/connect_token",
        );
        check(
            create_webhook(&CreateWebhook {
                url: "https://example.com/h".into(),
                event: crate::WebhookEvent::All,
                headers: None,
            }),
            "/webhooks",
        );
        check(
            update_webhook(&WebhookId::new("w"), &UpdateWebhook::default()),
            "/webhooks/w",
        );
        check(reduced::list_accounts(&item), "/accounts?itemId=it-1");
        check(list_account_statements(&acc), "/accounts/ac%2F1/statements");
        check(get_account_balance(&acc), "/accounts/ac%2F1/balance");
        check(
            update_transaction_category(&TransactionId::new("t"), &CategoryId::new("01000000")),
            "/transactions/t",
        );
        check(list_categories(&CategoryFilters::default()), "/categories");
        check(
            list_categories(&CategoryFilters {
                parent_id: Some(CategoryId::new("01000000")),
            }),
            "/categories?parentId=01000000",
        );
        check(
            get_category(&CategoryId::new("01010000")),
            "/categories/01010000",
        );
        check(list_category_rules(), "/categories/rules");
        check(
            create_category_rule(&CreateCategoryRule::new(
                "UBER",
                CategoryId::new("05000000"),
            )),
            "/categories/rules",
        );
        check(
            delete_category_rule(&CategoryRuleId::new("r")),
            "/categories/rules/r",
        );
        check(list_loans(&item), "/loans?itemId=it-1");
        check(get_loan(&LoanId::new("l")), "/loans/l");
        check(list_bills(&acc), "/bills?accountId=ac%2F1");
        check(get_bill(&BillId::new("b")), "/bills/b");
        check(list_consents(&item), "/consents?itemId=it-1");
        check(get_consent(&ConsentId::new("c")), "/consents/c");
        check(
            find_merchants(&["00000000000191".to_owned(), "60701190000104".to_owned()]),
            "/merchants?cnpjs=00000000000191%2C60701190000104",
        );
    }

    #[test]
    fn webhook_headers_http_cannot_carry_are_refused_before_sending() {
        use crate::models::WebhookHeaders;
        let bad = WebhookHeaders::new().with("x-webhook-secret", "whsec\n");
        let create = CreateWebhook {
            url: "https://example.com/h".into(),
            event: crate::WebhookEvent::All,
            headers: Some(bad.clone()),
        };
        let update = UpdateWebhook {
            headers: Some(Some(WebhookHeaders::new().with("bad name", "v"))),
            ..Default::default()
        };
        for result in [
            create_webhook(&create).into_call(),
            update_webhook(&WebhookId::new("w"), &update).into_call(),
        ] {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::InvalidHeader(_)), "{err:?}");
            assert!(!err.is_transient());
        }
        let cleared = UpdateWebhook {
            headers: Some(None),
            ..Default::default()
        };
        assert!(
            update_webhook(&WebhookId::new("w"), &cleared)
                .into_call()
                .is_ok()
        );
    }

    #[test]
    fn each_operation_is_offered_as_its_access_rule_says() {
        let list = operations();
        for op in &list {
            let expected = match (op.endpoint.access, op.endpoint.connect_token_view) {
                (Access::Public, _) => panic!("{} is public: only /auth is", op.name),
                (Access::ApiKey, _) => [Offered::ApiKeyOnly, Offered::Wrapped].as_slice(),
                (Access::ConnectToken(_), View::Reduced) => {
                    [Offered::FullView, Offered::ReducedView].as_slice()
                }
                (Access::ConnectToken(ItemBinding::CreatesItem), View::Full) => {
                    [Offered::BothCreatesItem].as_slice()
                }
                (Access::ConnectToken(_), View::Full) => [Offered::Both].as_slice(),
            };
            assert!(
                expected.contains(&op.offered),
                "{} ({}) is offered as {:?}",
                op.name,
                op.endpoint.route,
                op.offered
            );
        }
        // Every endpoint of the table is an operation, but `POST /auth`, which the key
        // managers make themselves; a reduced view has both of its views.
        for endpoint in crate::endpoints::ALL {
            let offered: Vec<Offered> = list
                .iter()
                .filter(|op| std::ptr::eq(op.endpoint, *endpoint))
                .map(|op| op.offered)
                .collect();
            match endpoint.access {
                Access::Public => assert!(offered.is_empty(), "{}", endpoint.route),
                _ if endpoint.connect_token_view == View::Reduced => assert!(
                    offered.contains(&Offered::FullView) && offered.contains(&Offered::ReducedView),
                    "{}: {offered:?}",
                    endpoint.route
                ),
                _ => assert!(!offered.is_empty(), "{} has no operation", endpoint.route),
            }
        }
    }
}
