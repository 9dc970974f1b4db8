//! Cursor pagination as an [`Iterator`].

use std::collections::VecDeque;

use pluggy_core::models::{CursorPage, Transaction};
use pluggy_core::{Call, Error, calls};

use crate::client::Client;

enum Cursor {
    First(Call),
    Next(String),
    End,
}

/// The transactions of an account, page after page of `GET /v2/transactions`. Each page's
/// `next` is sent back verbatim; an error ends the iteration after it is yielded.
pub struct TransactionIter {
    client: Client,
    buffer: VecDeque<Transaction>,
    cursor: Cursor,
}

impl std::fmt::Debug for TransactionIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionIter")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl TransactionIter {
    pub(crate) fn new(client: Client, first: Call) -> Self {
        Self {
            client,
            buffer: VecDeque::new(),
            cursor: Cursor::First(first),
        }
    }

    fn fetch(&mut self) -> Option<Result<CursorPage<Transaction>, Error>> {
        let call = match std::mem::replace(&mut self.cursor, Cursor::End) {
            Cursor::First(call) => Ok(call),
            Cursor::Next(next) => calls::next_transactions_cursor(&next),
            Cursor::End => return None,
        };
        Some(call.and_then(|call| self.client.call(call)))
    }
}

impl Iterator for TransactionIter {
    type Item = Result<Transaction, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(t) = self.buffer.pop_front() {
                return Some(Ok(t));
            }
            match self.fetch()? {
                Ok(page) => {
                    if let Some(next) = page.next.filter(|n| !n.is_empty()) {
                        self.cursor = Cursor::Next(next);
                    }
                    self.buffer.extend(page.results);
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
