//! Paged lists as [`Iterator`]s over core's [`Pager`].

use std::sync::Arc;

use pluggy_core::driver::Auth;
use pluggy_core::models::{CursorPage, Transaction};
use pluggy_core::{Error, Paged, Pager, PagerStep, Request};

use crate::engine::{Engine, KeyCache};

/// Every item of a paged list, page after page; pages are fetched as the iterator is read, and
/// an error ends the iteration after it is yielded.
pub struct Pages<P: Paged> {
    engine: Arc<Engine>,
    keys: Arc<KeyCache>,
    pager: Pager<P>,
}

/// The transactions of an account, over the cursor pages of `GET /v2/transactions`.
pub type TransactionIter = Pages<CursorPage<Transaction>>;

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
        }
    }
}

impl<P: Paged> Iterator for Pages<P> {
    type Item = Result<P::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let request = match self.pager.step() {
                PagerStep::Item(item) => return Some(Ok(item)),
                PagerStep::End => return None,
                PagerStep::Fetch(request) => request,
            };
            match self.engine.send(request, Auth::Key(&*self.keys)) {
                Ok(page) => self.pager.on_page(page),
                Err(e) => {
                    self.pager.on_error();
                    return Some(Err(e));
                }
            }
        }
    }
}
