//! What an item's state means for a caller waiting on it: a pure reading of its `status`,
//! `executionStatus`, `parameter`, `userAction`, `statusDetail` and `error`.
//!
//! | `status` | progress |
//! |---|---|
//! | `UPDATING`, `MERGING`, `CREATING` | [`ItemProgress::InProgress`] |
//! | `WAITING_USER_INPUT` | [`ItemProgress::NeedsMfaInput`] (send `parameter.name` to `/mfa`) |
//! | `WAITING_USER_ACTION` | [`ItemProgress::NeedsUserAction`] |
//! | `UPDATED` | [`ItemProgress::Done`], partial on `PARTIAL_SUCCESS` or product warnings |
//! | `LOGIN_ERROR`, `OUTDATED` | [`ItemProgress::Failed`] |
//! | anything else | `InProgress` if `executionStatus` ends in `_IN_PROGRESS`, else `Failed` |

use crate::generated::enums::{ExecutionStatus, ItemStatus};
use crate::models::{ConnectorCredential, Item, ItemError, UserAction};

/// Where an item stands, from the point of view of someone waiting for its sync.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemProgress {
    /// The sync is running; look again later.
    InProgress {
        /// The step it is at.
        execution_status: ExecutionStatus,
    },
    /// The institution asks for a second factor: send it with `POST /items/{id}/mfa` under
    /// the prompt's `name`. The prompt is `None` if the API did not include it.
    NeedsMfaInput {
        /// The prompt (`Item.parameter`).
        parameter: Option<ConnectorCredential>,
    },
    /// The user must act at the institution (approve access, scan a QR code); the sync goes
    /// on by itself once they do.
    NeedsUserAction {
        /// What the user must do (`Item.userAction`), if the API said.
        user_action: Option<UserAction>,
    },
    /// The sync finished and the data is available.
    Done {
        /// Some products failed or reported warnings (`PARTIAL_SUCCESS` or warnings in
        /// `statusDetail`).
        partial: bool,
    },
    /// The sync failed.
    Failed {
        /// The item's status.
        status: ItemStatus,
        /// The execution status of the failed sync.
        execution_status: ExecutionStatus,
        /// The API's error, when it sent one.
        error: Option<ItemError>,
        /// What happened and what to do, for a person.
        reason: String,
    },
}

impl ItemProgress {
    /// Reads an item's state.
    pub fn of(item: &Item) -> Self {
        let exec = &item.execution_status;
        match &item.status {
            ItemStatus::WaitingUserInput => ItemProgress::NeedsMfaInput {
                parameter: item.parameter.clone(),
            },
            ItemStatus::WaitingUserAction => ItemProgress::NeedsUserAction {
                user_action: item.user_action.clone(),
            },
            ItemStatus::Updating | ItemStatus::Merging => ItemProgress::InProgress {
                execution_status: exec.clone(),
            },
            ItemStatus::Unknown(s) if s == "CREATING" => ItemProgress::InProgress {
                execution_status: exec.clone(),
            },
            ItemStatus::Updated => ItemProgress::Done {
                partial: *exec == ExecutionStatus::PartialSuccess
                    || item
                        .status_detail
                        .as_ref()
                        .is_some_and(|d| d.has_warnings()),
            },
            ItemStatus::LoginError => failed(
                item,
                format!(
                    "the institution refused the login ({}); update the item with new credentials",
                    cause(item)
                ),
            ),
            ItemStatus::Outdated => failed(
                item,
                format!(
                    "the sync failed after login ({}); updating the item retries it",
                    cause(item)
                ),
            ),
            other => {
                if exec.as_str().ends_with("_IN_PROGRESS") {
                    ItemProgress::InProgress {
                        execution_status: exec.clone(),
                    }
                } else {
                    failed(
                        item,
                        format!(
                            "the item is in status {other}, which this version does not know, \
                             and its execution status {exec} is not a step in progress ({})",
                            cause(item)
                        ),
                    )
                }
            }
        }
    }

    /// Whether the item will not move on without a new request: `Done` or `Failed`.
    ///
    /// `NeedsMfaInput` and `NeedsUserAction` are not terminal: the sync goes on once the user
    /// answers (through `/mfa` or at the institution).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ItemProgress::Done { .. } | ItemProgress::Failed { .. }
        )
    }
}

/// The API's error code and message, or the execution status when there is no error.
fn cause(item: &Item) -> String {
    match &item.error {
        Some(e) if !e.message.is_empty() => format!("{}: {}", e.code, e.message),
        Some(e) => e.code.to_string(),
        None => item.execution_status.to_string(),
    }
}

fn failed(item: &Item, reason: String) -> ItemProgress {
    ItemProgress::Failed {
        status: item.status.clone(),
        execution_status: item.execution_status.clone(),
        error: item.error.clone(),
        reason,
    }
}

impl Item {
    /// What the item's state means for a caller waiting on it.
    pub fn progress(&self) -> ItemProgress {
        ItemProgress::of(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ItemId;
    use crate::models::{ProductStatus, ProductWarning, StatusDetail};

    fn item(status: &str, exec: &str) -> Item {
        Item::new(
            ItemId::new("e062ab2b-9006-45e8-b689-defabba53647"),
            ItemStatus::parse(status),
            ExecutionStatus::parse(exec),
        )
    }

    fn mfa_prompt() -> ConnectorCredential {
        serde_json::from_value(serde_json::json!({
            "name": "token", "label": "Token", "type": "number", "mfa": true
        }))
        .unwrap()
    }

    fn warned() -> StatusDetail {
        StatusDetail {
            accounts: Some(ProductStatus {
                is_updated: Some(true),
                last_updated_at: None,
                warnings: Some(vec![ProductWarning {
                    code: "001".into(),
                    message: "some accounts could not be read".into(),
                    provider_message: None,
                }]),
            }),
            ..StatusDetail::default()
        }
    }

    #[derive(Debug, PartialEq)]
    enum Expect {
        InProgress(&'static str),
        Mfa { has_parameter: bool },
        UserAction,
        Done { partial: bool },
        Failed { reason_has: &'static str },
    }

    #[test]
    fn each_rule_maps_an_item_to_its_progress() {
        type Tweak = fn(&mut Item);
        let none: Tweak = |_| {};
        let with_prompt: Tweak = |i| i.parameter = Some(mfa_prompt());
        let with_warnings: Tweak = |i| i.status_detail = Some(warned());
        let with_error: Tweak = |i| {
            i.error = Some(ItemError {
                code: ExecutionStatus::InvalidCredentials,
                message: "Invalid credentials.".into(),
                provider_message: None,
                attributes: None,
            })
        };
        let rows: &[(&str, &str, Tweak, Expect, bool)] = &[
            (
                "WAITING_USER_INPUT",
                "WAITING_USER_INPUT",
                with_prompt,
                Expect::Mfa {
                    has_parameter: true,
                },
                false,
            ),
            (
                "WAITING_USER_INPUT",
                "WAITING_USER_INPUT",
                none,
                Expect::Mfa {
                    has_parameter: false,
                },
                false,
            ),
            (
                "WAITING_USER_ACTION",
                "WAITING_USER_ACTION",
                none,
                Expect::UserAction,
                false,
            ),
            (
                "UPDATING",
                "LOGIN_IN_PROGRESS",
                none,
                Expect::InProgress("LOGIN_IN_PROGRESS"),
                false,
            ),
            (
                "MERGING",
                "SUCCESS",
                none,
                Expect::InProgress("SUCCESS"),
                false,
            ),
            (
                "CREATING",
                "CREATING",
                none,
                Expect::InProgress("CREATING"),
                false,
            ),
            (
                "UPDATED",
                "SUCCESS",
                none,
                Expect::Done { partial: false },
                true,
            ),
            (
                "UPDATED",
                "PARTIAL_SUCCESS",
                none,
                Expect::Done { partial: true },
                true,
            ),
            (
                "UPDATED",
                "SUCCESS",
                with_warnings,
                Expect::Done { partial: true },
                true,
            ),
            (
                "LOGIN_ERROR",
                "INVALID_CREDENTIALS",
                with_error,
                Expect::Failed {
                    reason_has: "INVALID_CREDENTIALS: Invalid credentials.",
                },
                true,
            ),
            (
                "OUTDATED",
                "CONNECTION_ERROR",
                none,
                Expect::Failed {
                    reason_has: "CONNECTION_ERROR",
                },
                true,
            ),
            (
                "SOMETHING_NEW",
                "FANCY_IN_PROGRESS",
                none,
                Expect::InProgress("FANCY_IN_PROGRESS"),
                false,
            ),
            (
                "SOMETHING_NEW",
                "FANCY_ERROR",
                none,
                Expect::Failed {
                    reason_has: "SOMETHING_NEW",
                },
                true,
            ),
        ];
        for (status, exec, tweak, expect, terminal) in rows {
            let mut it = item(status, exec);
            tweak(&mut it);
            let p = it.progress();
            let got = match &p {
                ItemProgress::InProgress { execution_status } => {
                    Expect::InProgress(match execution_status.as_str() {
                        s if s == *exec => exec,
                        _ => "<other>",
                    })
                }
                ItemProgress::NeedsMfaInput { parameter } => {
                    if let Some(prm) = parameter {
                        assert_eq!(prm.name, "token");
                    }
                    Expect::Mfa {
                        has_parameter: parameter.is_some(),
                    }
                }
                ItemProgress::NeedsUserAction { .. } => Expect::UserAction,
                ItemProgress::Done { partial } => Expect::Done { partial: *partial },
                ItemProgress::Failed {
                    status: s,
                    execution_status: e,
                    reason,
                    ..
                } => {
                    assert_eq!(s.as_str(), *status);
                    assert_eq!(e.as_str(), *exec);
                    match expect {
                        Expect::Failed { reason_has } if reason.contains(reason_has) => {
                            Expect::Failed { reason_has }
                        }
                        _ => Expect::Failed {
                            reason_has: "<reason did not match>",
                        },
                    }
                }
            };
            assert_eq!(&got, expect, "{status}/{exec}: {p:?}");
            assert_eq!(p.is_terminal(), *terminal, "{status}/{exec}");
        }
    }

    #[test]
    fn failure_keeps_the_api_error() {
        let mut it = item("LOGIN_ERROR", "INVALID_CREDENTIALS");
        it.id = ItemId::new("x");
        it.error = Some(ItemError {
            code: ExecutionStatus::InvalidCredentials,
            message: "Invalid credentials.".into(),
            provider_message: Some("senha incorreta".into()),
            attributes: None,
        });
        match it.progress() {
            ItemProgress::Failed { error, reason, .. } => {
                assert_eq!(error, it.error);
                assert!(reason.contains("new credentials"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}
