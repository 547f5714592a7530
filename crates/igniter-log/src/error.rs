//! The one error type of `igniter-log`, with codes shared by every Igniter engine.

use std::fmt;

/// An error raised by `igniter-log`.
///
/// Each variant maps to one stable code (see [`LogError::code`]) that is identical to the code
/// `@igniter/core` throws from its TypeScript engine, so a caller cannot tell which engine ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogError {
    /// The input is not an Igniter value (D1): not JSON text, a number that is not a finite
    /// double, a lone UTF-16 surrogate, or an object with a duplicate key.
    InvalidValue {
        /// What is wrong and, for text input, at which byte offset.
        reason: String,
    },
    /// A value's canonical JSON is longer than the allowed limit (D10).
    ValueTooLarge {
        /// Length of the canonical JSON in UTF-8 bytes.
        size: usize,
        /// The limit it exceeded, in UTF-8 bytes.
        limit: usize,
    },
    /// An argument other than a value is out of its domain.
    InvalidArgument {
        /// What is wrong with the argument.
        reason: String,
    },
    /// Facts given to the log break one of its invariants, e.g. a seq that does not increase.
    CorruptLog {
        /// Which invariant is broken, and by which fact.
        reason: String,
    },
}

impl LogError {
    /// The stable error code, e.g. `"ERR_INVALID_VALUE"`; the JS error's `code` property.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidValue { .. } => "ERR_INVALID_VALUE",
            Self::ValueTooLarge { .. } => "ERR_VALUE_TOO_LARGE",
            Self::InvalidArgument { .. } => "ERR_INVALID_ARGUMENT",
            Self::CorruptLog { .. } => "ERR_CORRUPT_LOG",
        }
    }

    /// Shorthand for [`LogError::InvalidValue`].
    pub(crate) fn invalid_value(reason: impl Into<String>) -> Self {
        Self::InvalidValue {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidValue { reason } => write!(f, "invalid value: {reason}"),
            Self::ValueTooLarge { size, limit } => write!(
                f,
                "value too large: canonical JSON is {size} bytes, the limit is {limit}"
            ),
            Self::InvalidArgument { reason } => write!(f, "invalid argument: {reason}"),
            Self::CorruptLog { reason } => write!(f, "corrupt log: {reason}"),
        }
    }
}

impl std::error::Error for LogError {}

#[cfg(test)]
mod tests {
    use super::LogError;

    #[test]
    fn every_variant_has_its_stable_code() {
        let cases = [
            (LogError::invalid_value("x"), "ERR_INVALID_VALUE"),
            (
                LogError::ValueTooLarge { size: 2, limit: 1 },
                "ERR_VALUE_TOO_LARGE",
            ),
            (
                LogError::InvalidArgument { reason: "x".into() },
                "ERR_INVALID_ARGUMENT",
            ),
            (
                LogError::CorruptLog { reason: "x".into() },
                "ERR_CORRUPT_LOG",
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code);
        }
    }

    #[test]
    fn display_names_the_problem() {
        let error = LogError::ValueTooLarge {
            size: 20,
            limit: 16,
        };
        assert_eq!(
            error.to_string(),
            "value too large: canonical JSON is 20 bytes, the limit is 16"
        );
    }
}
