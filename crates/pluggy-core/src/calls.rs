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
                /// `GET /payments/customers`: one page of the payers.
                fn list_payment_customers(filters: &$crate::models::PaymentCustomerFilters) -> $crate::models::Page<$crate::models::PaymentCustomer>
                    = PAYMENT_CUSTOMERS_LIST |call| filters.apply(call);
                /// `POST /payments/customers`: a payer (CPF or CNPJ, name, email). Never retried automatically.
                fn create_payment_customer(customer: &$crate::models::CreatePaymentCustomer) -> $crate::models::PaymentCustomer
                    = PAYMENT_CUSTOMER_CREATE |call| call.json(customer);
                /// `GET /payments/customers/{id}`.
                fn get_payment_customer(id: &$crate::PaymentCustomerId) -> $crate::models::PaymentCustomer
                    = PAYMENT_CUSTOMER_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `DELETE /payments/customers/{id}`.
                fn delete_payment_customer(id: &$crate::PaymentCustomerId) -> $crate::operation::Acknowledged
                    = PAYMENT_CUSTOMER_DELETE |call| call.path_param("id", id.as_str());
                /// `PATCH /payments/customers/{id}`.
                fn update_payment_customer(id: &$crate::PaymentCustomerId,
                    update: &$crate::models::UpdatePaymentCustomer) -> $crate::models::PaymentCustomer
                    = PAYMENT_CUSTOMER_UPDATE |call| call.path_param("id", id.as_str()).json(update);
                /// `GET /payments/recipients`: one page of the accounts that receive.
                fn list_payment_recipients(filters: &$crate::models::PaymentRecipientFilters) -> $crate::models::Page<$crate::models::PaymentRecipient>
                    = PAYMENT_RECIPIENTS_LIST |call| filters.apply(call);
                /// `POST /payments/recipients`: an account that receives, by Pix key or bank details. Never retried automatically.
                fn create_payment_recipient(recipient: &$crate::models::CreatePaymentRecipient) -> $crate::models::PaymentRecipient
                    = PAYMENT_RECIPIENT_CREATE |call| call.json(recipient);
                /// `GET /payments/recipients/{id}`.
                fn get_payment_recipient(id: &$crate::PaymentRecipientId) -> $crate::models::PaymentRecipient
                    = PAYMENT_RECIPIENT_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `PATCH /payments/recipients/{id}`.
                fn update_payment_recipient(id: &$crate::PaymentRecipientId,
                    update: &$crate::models::UpdatePaymentRecipient) -> $crate::models::PaymentRecipient
                    = PAYMENT_RECIPIENT_UPDATE |call| call.path_param("id", id.as_str()).json(update);
                /// `DELETE /payments/recipients/{id}`.
                fn delete_payment_recipient(id: &$crate::PaymentRecipientId) -> $crate::operation::Acknowledged
                    = PAYMENT_RECIPIENT_DELETE |call| call.path_param("id", id.as_str());
                /// `GET /payments/recipients/institutions`: one page of the institutions a recipient's bank details may name.
                fn list_payment_institutions(filters: &$crate::models::PaymentInstitutionFilters) -> $crate::models::Page<$crate::models::PaymentInstitution>
                    = PAYMENT_RECIPIENTS_INSTITUTION_LIST |call| filters.apply(call);
                /// `GET /payments/recipients/institutions/{id}`.
                fn get_payment_institution(id: &$crate::PaymentInstitutionId) -> $crate::models::PaymentInstitution
                    = PAYMENT_RECIPIENT_INSTITUTIONS_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /payments/requests`: one page of the payment requests.
                fn list_payment_requests(filters: &$crate::models::PaymentRequestFilters) -> $crate::models::Page<$crate::models::PaymentRequest>
                    = PAYMENT_REQUESTS_LIST |call| filters.apply(call);
                /// `POST /payments/requests`: asks for an amount; the answer's `paymentUrl` is the page the payer opens. Money: never retried automatically.
                fn create_payment_request(request: &$crate::models::CreatePaymentRequest) -> $crate::models::PaymentRequest
                    = PAYMENT_REQUEST_CREATE |call| call.json(request);
                /// `POST /payments/requests/automatic-pix`: an Automatic Pix mandate for the payer to authorize. Money: never retried automatically.
                fn create_automatic_pix_request(request: &$crate::models::CreateAutomaticPixPaymentRequest) -> $crate::models::PaymentRequest
                    = PAYMENT_REQUEST_CREATE_AUTOMATIC_PIX |call| call.json(request);
                /// `POST /payments/requests/{id}/automatic-pix/schedule`: one payment under an authorized mandate. Money: never retried automatically.
                fn schedule_automatic_pix_payment(request_id: &$crate::PaymentRequestId,
                    payment: &$crate::models::ScheduleAutomaticPixPayment) -> $crate::models::AutomaticPixPayment
                    = PAYMENT_REQUEST_CREATE_AUTOMATIC_PIX_SCHEDULE |call| call.path_param("id", request_id.as_str()).json(payment);
                /// `GET /payments/requests/{id}/automatic-pix/schedules`: one page of a mandate's payments.
                fn list_automatic_pix_payments(request_id: &$crate::PaymentRequestId) -> $crate::models::Page<$crate::models::AutomaticPixPayment>
                    = PAYMENT_REQUEST_GET_AUTOMATIC_PIX_SCHEDULES |call| call.path_param("id", request_id.as_str());
                /// `GET /payments/requests/{requestId}/automatic-pix/schedules/{paymentId}`.
                fn get_automatic_pix_payment(request_id: &$crate::PaymentRequestId,
                    payment_id: &$crate::AutomaticPixPaymentId) -> $crate::models::AutomaticPixPaymentDetail
                    = PAYMENT_REQUEST_GET_AUTOMATIC_PIX_SCHEDULE |call| call.path_param("requestId", request_id.as_str()).path_param("paymentId", payment_id.as_str());
                /// `POST /payments/requests/{id}/automatic-pix/cancel`: revokes the mandate.
                fn cancel_automatic_pix_mandate(request_id: &$crate::PaymentRequestId) -> $crate::operation::Acknowledged
                    = PAYMENT_REQUEST_CANCEL_AUTOMATIC_PIX_CONSENT |call| call.path_param("id", request_id.as_str());
                /// `POST /payments/requests/{id}/automatic-pix/schedules/{scheduleId}/cancel`.
                fn cancel_automatic_pix_payment(request_id: &$crate::PaymentRequestId,
                    payment_id: &$crate::AutomaticPixPaymentId) -> $crate::operation::Acknowledged
                    = CANCEL_AUTOMATIC_PIX_SCHEDULE |call| call.path_param("id", request_id.as_str()).path_param("scheduleId", payment_id.as_str());
                /// `POST /payments/requests/{id}/automatic-pix/schedules/{scheduleId}/retry`: tries a failed payment again. Money: never retried automatically.
                fn retry_automatic_pix_payment(request_id: &$crate::PaymentRequestId,
                    payment_id: &$crate::AutomaticPixPaymentId,
                    retry: &$crate::models::RetryAutomaticPixPayment) -> $crate::operation::Acknowledged
                    = RETRY_AUTOMATIC_PIX_SCHEDULE |call| call.path_param("id", request_id.as_str()).path_param("scheduleId", payment_id.as_str()).json(retry);
                /// `POST /payments/requests/pix-qr`: a payment request that pays a Pix QR code. Money: never retried automatically.
                fn create_pix_qr_payment_request(request: &$crate::models::CreatePixQrPaymentRequest) -> $crate::models::PaymentRequest
                    = PAYMENT_REQUEST_CREATE_PIX_QR |call| call.json(request);
                /// `GET /payments/requests/{id}`.
                fn get_payment_request(id: &$crate::PaymentRequestId) -> $crate::models::PaymentRequest
                    = PAYMENT_REQUEST_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `DELETE /payments/requests/{id}`.
                fn delete_payment_request(id: &$crate::PaymentRequestId) -> $crate::operation::Acknowledged
                    = PAYMENT_REQUEST_DELETE |call| call.path_param("id", id.as_str());
                /// `PATCH /payments/requests/{id}`.
                fn update_payment_request(id: &$crate::PaymentRequestId,
                    update: &$crate::models::UpdatePaymentRequest) -> $crate::models::PaymentRequest
                    = PAYMENT_REQUEST_UPDATE |call| call.path_param("id", id.as_str()).json(update);
                /// `GET /payments/requests/{id}/schedules`: one page of a request's scheduled payments (Pix Agendado).
                fn list_payment_schedules(request_id: &$crate::PaymentRequestId) -> $crate::models::Page<$crate::models::PaymentSchedule>
                    = PAYMENT_SCHEDULES_LIST |call| call.path_param("id", request_id.as_str());
                /// `POST /payments/requests/{id}/schedules/cancel`: cancels every scheduled payment of the request.
                fn cancel_payment_schedules(request_id: &$crate::PaymentRequestId) -> $crate::operation::Acknowledged
                    = PAYMENT_SCHEDULES_CANCEL |call| call.path_param("id", request_id.as_str());
                /// `POST /payments/requests/{id}/schedules/{scheduleId}/cancel`.
                fn cancel_payment_schedule(request_id: &$crate::PaymentRequestId,
                    schedule_id: &$crate::PaymentScheduleId) -> $crate::operation::Acknowledged
                    = PAYMENT_SCHEDULES_CANCEL_SPECIFIC |call| call.path_param("id", request_id.as_str()).path_param("scheduleId", schedule_id.as_str());
                /// `POST /payments/intents`: one attempt to pay a request, at the bank the payer chose. Money: never retried automatically.
                fn create_payment_intent(intent: &$crate::models::CreatePaymentIntent) -> $crate::models::PaymentIntent
                    = PAYMENT_INTENT_CREATE |call| call.json(intent);
                /// `GET /payments/intents?paymentRequestId=…`: one page of a request's intents.
                fn list_payment_intents(request_id: &$crate::PaymentRequestId) -> $crate::models::Page<$crate::models::PaymentIntent>
                    = PAYMENT_INTENTS_LIST |call| call.query("paymentRequestId", request_id.as_str());
                /// `GET /payments/intents/{id}`.
                fn get_payment_intent(id: &$crate::PaymentIntentId) -> $crate::models::PaymentIntent
                    = PAYMENT_INTENT_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /smart-transfers/preauthorizations`: one page.
                fn list_smart_transfer_preauthorizations(page: Option<u32>,
                    page_size: Option<u32>) -> $crate::models::Page<$crate::models::SmartTransferPreauthorization>
                    = SMART_TRANFERS_PREAUTHORIZATIONS_LIST |call| call.query_opt("page", page.map(|p| p.to_string())).query_opt("pageSize", page_size.map(|p| p.to_string()));
                /// `POST /smart-transfers/preauthorizations`: asks the payer to preauthorize future transfers. Never retried automatically.
                fn create_smart_transfer_preauthorization(preauthorization: &$crate::models::CreateSmartTransferPreauthorization) -> $crate::models::SmartTransferPreauthorization
                    = SMART_TRANSFER_PREAUTHORIZATION_CREATE |call| call.json(preauthorization);
                /// `GET /smart-transfers/preauthorizations/{id}`.
                fn get_smart_transfer_preauthorization(id: &$crate::SmartTransferPreauthorizationId) -> $crate::models::SmartTransferPreauthorization
                    = SMART_TRANSFER_PREAUTHORIZATION_RETRIEVE |call| call.path_param("id", id.as_str());
                /// `GET /smart-transfers/preauthorizations/{id}/payments`: one page of a preauthorization's payments.
                fn list_smart_transfer_payments(preauthorization_id: &$crate::SmartTransferPreauthorizationId,
                    filters: &$crate::models::SmartTransferPaymentFilters) -> $crate::models::Page<$crate::models::SmartTransferPayment>
                    = SMART_TRANSFER_PREAUTHORIZATION_PAYMENTS_LIST |call| filters.apply(call.path_param("id", preauthorization_id.as_str()));
                /// `POST /smart-transfers/payments`: a transfer from a preauthorized account, with no new consent. Money: never retried automatically.
                fn create_smart_transfer_payment(payment: &$crate::models::CreateSmartTransferPayment) -> $crate::models::SmartTransferPayment
                    = SMART_TRANSFER_PAYMENT_CREATE |call| call.json(payment);
                /// `GET /smart-transfers/payments/{id}`.
                fn get_smart_transfer_payment(id: &$crate::SmartTransferPaymentId) -> $crate::models::SmartTransferPayment
                    = SMART_TRANSFER_PAYMENTRETRIEVE |call| call.path_param("id", id.as_str());
                /// `POST /boleto-connections`: a connection to the institution that issues boletos, from its credentials. Never retried automatically.
                fn create_boleto_connection(connection: &$crate::models::CreateBoletoConnection) -> $crate::models::BoletoConnection
                    = BOLETO_CONNECTION_CREATE |call| call.json(connection);
                /// `POST /boleto-connections/from-item`: a boleto connection from an item's credentials. Never retried automatically.
                fn create_boleto_connection_from_item(connection: &$crate::models::CreateBoletoConnectionFromItem) -> $crate::models::BoletoConnection
                    = BOLETO_CONNECTION_CREATE_FROM_ITEM |call| call.json(connection);
                /// `POST /boletos`: issues a boleto. Money: never retried automatically.
                fn create_boleto(boleto: &$crate::models::CreateBoleto) -> $crate::models::Boleto
                    = BOLETO_CREATE |call| call.json(boleto);
                /// `POST /boletos/{id}/cancel`.
                fn cancel_boleto(id: &$crate::BoletoId) -> $crate::models::Boleto
                    = BOLETO_CANCEL |call| call.path_param("id", id.as_str());
                /// `GET /boletos/{id}`.
                fn get_boleto(id: &$crate::BoletoId) -> $crate::models::Boleto
                    = BOLETO_GET |call| call.path_param("id", id.as_str());
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
                /// Every payer, over the pages of `GET /payments/customers`.
                fn payment_customers(filters: &$crate::models::PaymentCustomerFilters) -> $crate::models::Page<$crate::models::PaymentCustomer>
                    = list_payment_customers(filters);
                /// Every recipient, over the pages of `GET /payments/recipients`.
                fn payment_recipients(filters: &$crate::models::PaymentRecipientFilters) -> $crate::models::Page<$crate::models::PaymentRecipient>
                    = list_payment_recipients(filters);
                /// Every institution, over the pages of `GET /payments/recipients/institutions`.
                fn payment_institutions(filters: &$crate::models::PaymentInstitutionFilters) -> $crate::models::Page<$crate::models::PaymentInstitution>
                    = list_payment_institutions(filters);
                /// Every payment request, over the pages of `GET /payments/requests`.
                fn payment_requests(filters: &$crate::models::PaymentRequestFilters) -> $crate::models::Page<$crate::models::PaymentRequest>
                    = list_payment_requests(filters);
                /// Every payment under an Automatic Pix mandate.
                fn automatic_pix_payments(request_id: &$crate::PaymentRequestId) -> $crate::models::Page<$crate::models::AutomaticPixPayment>
                    = list_automatic_pix_payments(request_id);
                /// Every scheduled payment of a request.
                fn payment_schedules(request_id: &$crate::PaymentRequestId) -> $crate::models::Page<$crate::models::PaymentSchedule>
                    = list_payment_schedules(request_id);
                /// Every intent of a payment request.
                fn payment_intents(request_id: &$crate::PaymentRequestId) -> $crate::models::Page<$crate::models::PaymentIntent>
                    = list_payment_intents(request_id);
                /// Every smart-transfer preauthorization, over the pages of `GET /smart-transfers/preauthorizations`.
                fn smart_transfer_preauthorizations(page_size: Option<u32>) -> $crate::models::Page<$crate::models::SmartTransferPreauthorization>
                    = list_smart_transfer_preauthorizations(None, page_size);
                /// Every payment of a smart-transfer preauthorization.
                fn smart_transfer_payments(preauthorization_id: &$crate::SmartTransferPreauthorizationId,
                    filters: &$crate::models::SmartTransferPaymentFilters) -> $crate::models::Page<$crate::models::SmartTransferPayment>
                    = list_smart_transfer_payments(preauthorization_id, filters);
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
            .prepare(&BaseUrl::default(), Credential::ApiKey(&key), &"t".into())
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
