//! The one error type of the runtime: what can go wrong loading or
//! running one model.

use std::fmt;

/// Everything that can go wrong when loading or running a model.
///
/// The variants separate *who* is at fault, which decides what a caller is
/// told (HTTP status, CLI exit code) and what is recorded:
/// the request ([`Error::BadRequest`], [`Error::Rejected`]), the module
/// ([`Error::ModuleRefused`]: it must never run), the plugin at run time
/// ([`Error::PluginFault`]: it ran and misbehaved), the host's capacity
/// ([`Error::Overloaded`]), or the host itself ([`Error::Internal`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The request is malformed or does not fit the model's declaration.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request lacks an indicator the model declares required: a bad
    /// request (code `bad_request`), told apart so that the host can say
    /// when the indicator's record was withheld without reading a message.
    #[error("bad request: required indicator '{indicator}' ({kind}) is missing")]
    MissingRequired {
        /// The indicator's name.
        indicator: String,
        /// Its declared value kind (`number`, `flag`, `text`, `date`).
        kind: String,
    },
    /// The model ran and declined the request with its own `eval-error`.
    #[error("the model rejected the request: {}", crate::contract::describe_eval_error(.0))]
    Rejected(crate::contract::EvalError),
    /// The module must not run: not a component, wrong world, a forbidden
    /// import, a dishonest `describe()`, too large.
    #[error("module refused: {0}")]
    ModuleRefused(String),
    /// The plugin trapped, ran out of a budget or broke the white box.
    #[error("plugin fault: {fault}{}", output_suffix(.output))]
    PluginFault {
        /// What went wrong.
        fault: Fault,
        /// What the plugin wrote to stdout/stderr, bounded (a panic message,
        /// say). Never printed to the host's own output.
        output: String,
    },
    /// No sandbox slot is free right now; try again later.
    #[error("overloaded: {0}")]
    Overloaded(String),
    /// A bug or an environment failure in the host.
    #[error("internal error: {0}")]
    Internal(String),
}

fn output_suffix(output: &str) -> String {
    // Kept to one line, so that an error stays one sentence wherever it is
    // printed; the raw output is in the `output` field.
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!(" — plugin output: {}", lines.join(" / "))
    }
}

impl Error {
    /// A stable, machine-readable code for this kind of error
    /// (`bad_request`, `model_rejected`, `module_refused`, `plugin_fault`,
    /// `overloaded`, `internal`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) | Error::MissingRequired { .. } => "bad_request",
            Error::Rejected(_) => "model_rejected",
            Error::ModuleRefused(_) => "module_refused",
            Error::PluginFault { .. } => "plugin_fault",
            Error::Overloaded(_) => "overloaded",
            Error::Internal(_) => "internal",
        }
    }

    /// A plugin fault with what the plugin wrote.
    pub fn fault(fault: Fault, output: String) -> Error {
        Error::PluginFault { fault, output }
    }
}

/// How a plugin misbehaved at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// A WebAssembly trap (a panic, `unreachable`, an out-of-bounds access).
    Trap(String),
    /// The evaluation used its whole fuel budget (an endless loop, say).
    FuelExhausted {
        /// The budget, in fuel units.
        budget: u64,
    },
    /// The plugin asked for more linear memory than it may have.
    MemoryExhausted {
        /// The limit, in bytes.
        limit: u64,
        /// The size it asked for, in bytes.
        requested: u64,
    },
    /// The plugin overflowed its stack (deep recursion).
    StackOverflow,
    /// The wall-clock backstop stopped the evaluation.
    Timeout {
        /// The limit, in milliseconds.
        limit_ms: u64,
    },
    /// The result is larger than the host accepts.
    OversizedResult {
        /// Its size, in bytes, as the host counts it.
        bytes: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The result breaks the white-box rules (parts do not add up, score off
    /// the scale, an undeclared grade).
    BrokenWhiteBox(String),
}

impl Fault {
    /// A stable, machine-readable name for this fault (`trap`,
    /// `fuel_exhausted`, `memory_exhausted`, `stack_overflow`, `timeout`,
    /// `oversized_result`, `broken_white_box`).
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Trap(_) => "trap",
            Fault::FuelExhausted { .. } => "fuel_exhausted",
            Fault::MemoryExhausted { .. } => "memory_exhausted",
            Fault::StackOverflow => "stack_overflow",
            Fault::Timeout { .. } => "timeout",
            Fault::OversizedResult { .. } => "oversized_result",
            Fault::BrokenWhiteBox(_) => "broken_white_box",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Trap(m) => write!(f, "the plugin trapped: {m}"),
            Fault::FuelExhausted { budget } => {
                write!(
                    f,
                    "the plugin used up its fuel budget of {budget} (an endless loop?)"
                )
            }
            Fault::MemoryExhausted { limit, requested } => write!(
                f,
                "the plugin asked for {requested} bytes of memory, over its limit of {limit}"
            ),
            Fault::StackOverflow => write!(f, "the plugin overflowed its stack (deep recursion?)"),
            Fault::Timeout { limit_ms } => {
                write!(
                    f,
                    "the plugin ran past the wall-clock limit of {limit_ms} ms"
                )
            }
            Fault::OversizedResult { bytes, limit } => {
                write!(f, "the result is {bytes} bytes, over the limit of {limit}")
            }
            Fault::BrokenWhiteBox(m) => write!(f, "the result breaks the white box: {m}"),
        }
    }
}
