//! `limit`/`offset` pagination shared by every list endpoint.
//!
//! The parameters are taken as strings and parsed here rather than by serde, so that a
//! bad value produces a 400 that names the parameter (serde's messages do not).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
/// Largest `offset` accepted: no list comes near it, and a bound keeps the documented
/// range and the accepted one the same.
pub const MAX_OFFSET: usize = 1_000_000;

/// `?limit=&offset=` as sent by the client, not yet validated.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, from 0 (only `total`) to 100. Default 20.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 100, default = 20, example = 20)]
    pub limit: Option<String>,
    /// How many items to skip from the start of the list, up to 1,000,000. Default 0.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1_000_000, default = 0, example = 0)]
    pub offset: Option<String>,
}

/// A validated window into a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: usize,
    pub offset: usize,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl PageParams {
    pub fn window(&self) -> Result<Window, ApiError> {
        let limit = match &self.limit {
            None => DEFAULT_LIMIT,
            Some(raw) => parse_in_range("limit", raw, MAX_LIMIT)?,
        };
        let offset = match &self.offset {
            None => 0,
            Some(raw) => parse_in_range("offset", raw, MAX_OFFSET)?,
        };
        Ok(Window { limit, offset })
    }
}

fn parse_in_range(name: &str, raw: &str, max: usize) -> Result<usize, ApiError> {
    let bound = format!("an integer from 0 to {max}");
    match raw.trim().parse::<usize>() {
        Ok(value) if value <= max => Ok(value),
        _ => Err(ApiError::invalid(
            name,
            format!("{name} must be {bound}, got `{raw}`"),
        )),
    }
}

/// Parses a `true`/`false` query parameter, naming it when the value is anything else.
pub fn parse_bool(name: &str, raw: Option<&str>) -> Result<bool, ApiError> {
    match raw {
        None => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        Some(other) => Err(ApiError::invalid(
            name,
            format!("{name} must be `true` or `false`, got `{other}`"),
        )),
    }
}

/// One page of a list: the wire shape of every list endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page, in list order.
    pub items: Vec<T>,
    /// How many items the whole list holds (after filters), for page counts.
    #[schema(example = 42)]
    pub total: usize,
    /// The `limit` this page was cut with.
    #[schema(example = 20)]
    pub limit: usize,
    /// The `offset` this page starts at.
    #[schema(example = 0)]
    pub offset: usize,
}

impl Window {
    /// Cuts the window out of `items` and converts only what is returned, so a long
    /// list costs one pass and `limit` conversions.
    pub fn page<S, T>(
        self,
        items: impl IntoIterator<Item = S>,
        mut convert: impl FnMut(S) -> T,
    ) -> Page<T> {
        let mut total = 0;
        let mut page = Vec::with_capacity(self.limit.min(MAX_LIMIT));
        for item in items {
            if total >= self.offset && page.len() < self.limit {
                page.push(convert(item));
            }
            total += 1;
        }
        Page {
            items: page,
            total,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(limit: Option<&str>, offset: Option<&str>) -> PageParams {
        PageParams {
            limit: limit.map(str::to_owned),
            offset: offset.map(str::to_owned),
        }
    }

    fn rejected_parameter(result: Result<Window, ApiError>) -> String {
        match result {
            Err(ApiError::InvalidParameter { parameter, .. }) => parameter,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(params(None, None).window().ok(), Some(Window::default()));
    }

    #[test]
    fn bounds() {
        assert_eq!(
            params(Some("100"), Some("7")).window().ok(),
            Some(Window {
                limit: 100,
                offset: 7
            })
        );
        assert_eq!(
            rejected_parameter(params(Some("-1"), None).window()),
            "limit"
        );
        assert_eq!(
            rejected_parameter(params(Some("100000"), None).window()),
            "limit"
        );
        assert_eq!(
            rejected_parameter(params(None, Some("abc")).window()),
            "offset"
        );
        assert_eq!(
            rejected_parameter(params(None, Some("-3")).window()),
            "offset"
        );
        assert_eq!(rejected_parameter(params(Some(""), None).window()), "limit");
    }

    #[test]
    fn page_counts_everything_and_converts_the_window() {
        let window = Window {
            limit: 2,
            offset: 3,
        };
        let page = window.page(0..10, |n| n * 10);
        assert_eq!(page.items, vec![30, 40]);
        assert_eq!(page.total, 10);
        let past_the_end = Window {
            limit: 5,
            offset: 50,
        }
        .page(0..10, |n| n);
        assert!(past_the_end.items.is_empty());
        assert_eq!(past_the_end.total, 10);
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("flat", Some("true")).ok(), Some(true));
        assert_eq!(parse_bool("flat", None).ok(), Some(false));
        assert!(parse_bool("flat", Some("maybe")).is_err());
    }
}
