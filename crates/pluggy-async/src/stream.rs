//! Cursor pagination as a [`futures_core::Stream`].

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use pluggy_core::models::{CursorPage, Transaction};
use pluggy_core::{Call, Error, calls};

use crate::client::Client;
use crate::runtime::BoxFuture;

type PageFuture = BoxFuture<'static, Result<CursorPage<Transaction>, Error>>;

enum Cursor {
    First(Call),
    Next(String),
    End,
}

/// The transactions of an account, page after page of `GET /v2/transactions`. Each page's
/// `next` is sent back verbatim; an error ends the stream after it is yielded.
pub struct TransactionStream {
    client: Client,
    buffer: VecDeque<Transaction>,
    cursor: Cursor,
    in_flight: Option<PageFuture>,
}

impl std::fmt::Debug for TransactionStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionStream")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl TransactionStream {
    pub(crate) fn new(client: Client, first: Call) -> Self {
        Self {
            client,
            buffer: VecDeque::new(),
            cursor: Cursor::First(first),
            in_flight: None,
        }
    }

    fn fetch(&mut self) -> Option<PageFuture> {
        let call = match std::mem::replace(&mut self.cursor, Cursor::End) {
            Cursor::First(call) => Ok(call),
            Cursor::Next(next) => calls::next_transactions_cursor(&next),
            Cursor::End => return None,
        };
        let client = self.client.clone();
        Some(Box::pin(async move { client.call(call?).await }))
    }
}

impl Stream for TransactionStream {
    type Item = Result<Transaction, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(t) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(t)));
            }
            if this.in_flight.is_none() {
                match this.fetch() {
                    Some(fut) => this.in_flight = Some(fut),
                    None => return Poll::Ready(None),
                }
            }
            let Some(fut) = this.in_flight.as_mut() else {
                return Poll::Ready(None);
            };
            let page = match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(page) => page,
            };
            this.in_flight = None;
            match page {
                Ok(page) => {
                    if let Some(next) = page.next.filter(|n| !n.is_empty()) {
                        this.cursor = Cursor::Next(next);
                    }
                    this.buffer.extend(page.results);
                }
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}
