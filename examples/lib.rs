//! The command behind the `get_customer` and `juspay` programs (see `command`), as a
//! library so that both programs are one implementation.

pub mod command;
