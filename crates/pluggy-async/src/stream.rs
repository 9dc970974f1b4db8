//! Paged lists as [`futures_core::Stream`]s over core's [`Pager`].

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use pluggy_core::driver::Auth;
use pluggy_core::models::{CursorPage, Transaction};
use pluggy_core::{Error, Paged, Pager, PagerStep, Request};

use crate::engine::{Engine, KeyCache};
use crate::runtime::BoxFuture;

/// Every item of a paged list, page after page; pages are fetched as the stream is read, and an
/// error ends the stream after it is yielded.
pub struct Pages<P: Paged> {
    engine: Arc<Engine>,
    keys: Arc<KeyCache>,
    pager: Pager<P>,
    in_flight: Option<BoxFuture<'static, Result<P, Error>>>,
}

/// The transactions of an account, over the cursor pages of `GET /v2/transactions`.
pub type TransactionStream = Pages<CursorPage<Transaction>>;

impl<P: Paged> std::fmt::Debug for Pages<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("pager", &self.pager)
            .finish_non_exhaustive()
    }
}

impl<P: Paged> Pages<P> {
    pub(crate) fn new(engine: Arc<Engine>, keys: Arc<KeyCache>, first: Request<P>) -> Self {
        Self {
            engine,
            keys,
            pager: Pager::new(first),
            in_flight: None,
        }
    }
}

impl<P> Stream for Pages<P>
where
    P: Paged + Send + 'static,
    P::Item: Unpin,
{
    type Item = Result<P::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(fetch) = this.in_flight.as_mut() {
                let page = match fetch.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(page) => page,
                };
                this.in_flight = None;
                match page {
                    Ok(page) => this.pager.on_page(page),
                    Err(e) => {
                        this.pager.on_error();
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            match this.pager.step() {
                PagerStep::Item(item) => return Poll::Ready(Some(Ok(item))),
                PagerStep::End => return Poll::Ready(None),
                PagerStep::Fetch(request) => {
                    let (engine, keys) = (this.engine.clone(), this.keys.clone());
                    this.in_flight = Some(Box::pin(async move {
                        engine.send(request, Auth::Key(&*keys)).await
                    }));
                }
            }
        }
    }
}
