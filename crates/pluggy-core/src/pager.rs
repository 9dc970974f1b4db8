//! Every item of a paged list, page after page, as a state machine a driver steps through.
//!
//! Both page styles of the API are one machine: numbered pages (`{page, totalPages,
//! results}`, the next one asked for with `page=N+1`) and cursor pages (`{results, next}`, the
//! next one asked for with `next` sent back verbatim). The driver's loop:
//!
//! ```text
//! let mut pager = Pager::new(calls::list_investments(&item, &filters));
//! loop {
//!     match pager.step() {
//!         PagerStep::Item(item) => yield Ok(item),
//!         PagerStep::Fetch(request) => match execute(request) {        // the only I/O
//!             Ok(page) => pager.on_page(page),
//!             Err(e) => { pager.on_error(); yield Err(e) }              // then the end
//!         },
//!         PagerStep::End => return,
//!     }
//! }
//! ```

use std::collections::VecDeque;

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::http::Call;
use crate::models::{CursorPage, Page};
use crate::operation::Request;

/// Where a page says the list goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Continuation {
    /// This was the last page.
    End,
    /// The numbered page that follows.
    Page(u32),
    /// The query string of the next cursor page, to send back verbatim.
    Cursor(String),
}

/// One page of a paged list, in either style.
pub trait Paged: DeserializeOwned {
    /// What the list holds.
    type Item;
    /// The page's items, and where the list goes on.
    fn into_parts(self) -> (Vec<Self::Item>, Continuation);
}

impl<T: DeserializeOwned> Paged for Page<T> {
    type Item = T;
    fn into_parts(self) -> (Vec<T>, Continuation) {
        let next = if self.has_next() && !self.results.is_empty() {
            Continuation::Page(self.page.saturating_add(1))
        } else {
            Continuation::End
        };
        (self.results, next)
    }
}

impl<T: DeserializeOwned> Paged for CursorPage<T> {
    type Item = T;
    fn into_parts(self) -> (Vec<T>, Continuation) {
        let next = match self.next {
            Some(next) if !next.is_empty() => Continuation::Cursor(next),
            _ => Continuation::End,
        };
        (self.results, next)
    }
}

/// What the driver does next.
#[derive(Debug)]
pub enum PagerStep<P: Paged> {
    /// Hand this item to the reader.
    Item(P::Item),
    /// Execute this request and give its page to [`Pager::on_page`] (or tell
    /// [`Pager::on_error`] that it failed).
    Fetch(Request<P>),
    /// The list is over.
    End,
}

/// The items of a paged list not yet read, and the request of the page that comes next.
pub struct Pager<P: Paged> {
    buffer: VecDeque<P::Item>,
    /// The first page's request, the template of numbered pages.
    template: Request<P>,
    next: Next,
}

enum Next {
    First,
    Call(Result<Call, Error>),
    Fetching,
    End,
}

impl<P: Paged> std::fmt::Debug for Pager<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<P: Paged> Pager<P> {
    /// A pager that starts with `first`, the request of the list's first page.
    pub fn new(first: Request<P>) -> Self {
        Self {
            buffer: VecDeque::new(),
            template: first,
            next: Next::First,
        }
    }

    /// The next item, the next page to fetch, or the end. While a fetch is out (after
    /// [`PagerStep::Fetch`], before [`on_page`](Self::on_page)), it says [`PagerStep::End`].
    pub fn step(&mut self) -> PagerStep<P> {
        if let Some(item) = self.buffer.pop_front() {
            return PagerStep::Item(item);
        }
        let call = match std::mem::replace(&mut self.next, Next::Fetching) {
            Next::First => self.template.call().cloned().map_err(Clone::clone),
            Next::Call(call) => call,
            Next::Fetching | Next::End => {
                self.next = Next::End;
                return PagerStep::End;
            }
        };
        PagerStep::Fetch(self.template.with_call(call))
    }

    /// Takes the page a fetch brought back.
    pub fn on_page(&mut self, page: P) {
        let (items, continuation) = page.into_parts();
        let had_items = !items.is_empty();
        self.buffer.extend(items);
        self.next = match continuation {
            Continuation::End => Next::End,
            // A numbered page with nothing on it ends the list, whatever it says of the rest.
            Continuation::Page(_) if !had_items => Next::End,
            Continuation::Page(n) => Next::Call(
                self.template
                    .call()
                    .map(|call| call.clone().set_query("page", n.to_string()))
                    .map_err(Clone::clone),
            ),
            Continuation::Cursor(next) => Next::Call(
                self.template
                    .call()
                    .map_err(Clone::clone)
                    .and_then(|call| Call::new(call.endpoint()).raw_query(&next)),
            ),
        };
    }

    /// A fetch failed: the list ends after the items already read.
    pub fn on_error(&mut self) {
        self.next = Next::End;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls;
    use crate::http::{BaseUrl, Credential};
    use crate::ids::{AccountId, InvestmentId};
    use crate::models::CursorTransactionFilters;

    /// The request of a real operation, answered with `u32` items.
    fn of_u32<P: Paged>(request: impl crate::IntoCall) -> Request<P> {
        Request::new(request.into_call())
    }

    fn url<P: Paged>(request: &Request<P>) -> String {
        request
            .call()
            .unwrap()
            .prepare(&BaseUrl::default(), Credential::None, &"t".into())
            .unwrap()
            .url()
            .to_owned()
    }

    fn fetch<P: Paged>(pager: &mut Pager<P>) -> Request<P> {
        match pager.step() {
            PagerStep::Fetch(request) => request,
            PagerStep::Item(_) => panic!("an item, not a fetch"),
            PagerStep::End => panic!("the end, not a fetch"),
        }
    }

    fn items<P: Paged>(pager: &mut Pager<P>) -> Vec<P::Item> {
        let mut out = Vec::new();
        while let PagerStep::Item(item) = pager.step() {
            out.push(item);
        }
        out
    }

    fn page(n: u32, of: u32, results: Vec<u32>) -> Page<u32> {
        Page {
            page: n,
            total: 0,
            total_pages: of,
            results,
        }
    }

    #[test]
    fn numbered_pages_ask_for_the_next_number_until_the_last() {
        let id = InvestmentId::new("inv");
        let mut pager = Pager::<Page<u32>>::new(of_u32(calls::list_investment_transactions(
            &id,
            None,
            Some(2),
        )));
        let first = fetch(&mut pager);
        assert_eq!(
            url(&first),
            "https://api.pluggy.ai/investments/inv/transactions?pageSize=2"
        );
        assert!(
            matches!(pager.step(), PagerStep::End),
            "one fetch at a time"
        );
        pager.on_page(page(1, 2, vec![1, 2]));
        assert_eq!(items(&mut pager), vec![1, 2]);
        // `items` stopped at the fetch of page 2, which was dropped: the pager waits for it.
        assert!(matches!(pager.step(), PagerStep::End));

        let mut pager = Pager::<Page<u32>>::new(of_u32(calls::list_investment_transactions(
            &id,
            Some(1),
            Some(2),
        )));
        let _ = fetch(&mut pager);
        pager.on_page(page(1, 3, vec![1, 2]));
        assert!(matches!(pager.step(), PagerStep::Item(1)));
        assert!(matches!(pager.step(), PagerStep::Item(2)));
        let second = fetch(&mut pager);
        assert_eq!(
            url(&second),
            "https://api.pluggy.ai/investments/inv/transactions?page=2&pageSize=2"
        );
        pager.on_page(page(2, 3, vec![3]));
        assert!(matches!(pager.step(), PagerStep::Item(3)));
        let third = fetch(&mut pager);
        assert!(url(&third).contains("page=3"), "{}", url(&third));
        pager.on_page(page(3, 3, vec![4]));
        assert!(matches!(pager.step(), PagerStep::Item(4)));
        assert!(matches!(pager.step(), PagerStep::End));
        assert!(matches!(pager.step(), PagerStep::End));
    }

    #[test]
    fn an_empty_numbered_page_ends_the_list() {
        let id = InvestmentId::new("inv");
        let mut pager =
            Pager::<Page<u32>>::new(of_u32(calls::list_investment_transactions(&id, None, None)));
        let _ = fetch(&mut pager);
        pager.on_page(page(1, 99, vec![]));
        assert!(matches!(pager.step(), PagerStep::End));
    }

    #[test]
    fn cursor_pages_send_next_back_verbatim() {
        let account = AccountId::new("acc");
        let mut pager = Pager::<CursorPage<u32>>::new(of_u32(calls::list_transactions_cursor(
            &account,
            &CursorTransactionFilters::default(),
        )));
        let _ = fetch(&mut pager);
        pager.on_page(CursorPage {
            results: vec![1u32],
            next: Some("?accountId=acc&after=a+b%2F==".into()),
        });
        assert!(matches!(pager.step(), PagerStep::Item(1)));
        let next = fetch(&mut pager);
        assert_eq!(
            url(&next),
            "https://api.pluggy.ai/v2/transactions?accountId=acc&after=a+b%2F=="
        );
        pager.on_page(CursorPage {
            results: vec![2u32],
            next: Some(String::new()),
        });
        assert!(matches!(pager.step(), PagerStep::Item(2)));
        assert!(matches!(pager.step(), PagerStep::End));
    }

    #[test]
    fn an_error_ends_the_list_and_a_bad_cursor_is_the_error() {
        let account = AccountId::new("acc");
        let mut pager = Pager::<CursorPage<u32>>::new(of_u32(calls::list_transactions_cursor(
            &account,
            &CursorTransactionFilters::default(),
        )));
        let _ = fetch(&mut pager);
        pager.on_page(CursorPage {
            results: Vec::<u32>::new(),
            next: Some("?after=a b".into()),
        });
        let bad = fetch(&mut pager);
        assert!(matches!(bad.call(), Err(Error::InvalidInput(_))));
        pager.on_error();
        assert!(matches!(pager.step(), PagerStep::End));
    }
}
