//! What can go wrong when loading or calling a plugin.

use std::path::PathBuf;

/// An error of the plugin host. Every variant names the library file or the plugin, and says
/// what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The file could not be loaded as a shared library.
    #[error("{path}: not a loadable plugin library: {why}")]
    NotALibrary {
        /// The file.
        path: PathBuf,
        /// The loader's message.
        why: String,
    },
    /// A required symbol is not exported.
    #[error(
        "{path}: the library does not export `{symbol}`; is it an fzc plugin built with fzc-plugin-api?"
    )]
    MissingSymbol {
        /// The file.
        path: PathBuf,
        /// The symbol name.
        symbol: &'static str,
    },
    /// The plugin was built against another ABI version.
    #[error(
        "{path}: plugin ABI version {found}, but this fzc speaks version {expected}; rebuild the plugin against this fzc's fzc-plugin-api"
    )]
    AbiVersion {
        /// The file.
        path: PathBuf,
        /// The version the plugin reports.
        found: u32,
        /// The version of this host.
        expected: u32,
    },
    /// The function table is malformed (null, too small, unknown kind, bad text).
    #[error("{path}: invalid plugin table: {why}")]
    InvalidTable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The plugin is of another kind than the caller asked for.
    #[error("plugin `{plugin}` is a {found}, not a {expected}")]
    WrongKind {
        /// The plugin's name.
        plugin: String,
        /// Its kind.
        found: &'static str,
        /// The kind asked for.
        expected: &'static str,
    },
    /// A parameter without a default was not supplied.
    #[error(
        "plugin `{plugin}` needs parameter `{parameter}` ({description}), but it was not supplied"
    )]
    MissingParameter {
        /// The plugin's name.
        plugin: String,
        /// The parameter.
        parameter: String,
        /// Its declared description.
        description: String,
    },
    /// A parameter was supplied that the plugin does not declare.
    #[error("plugin `{plugin}` has no parameter `{parameter}`; it declares: {declared}")]
    UnknownParameter {
        /// The plugin's name.
        plugin: String,
        /// The parameter supplied.
        parameter: String,
        /// The declared names, comma-separated.
        declared: String,
    },
    /// A plugin function reported an error.
    #[error("plugin `{plugin}`: {function} failed: {message}")]
    Failed {
        /// The plugin's name.
        plugin: String,
        /// The function (`create`, `price`, `flows`).
        function: &'static str,
        /// The plugin's message.
        message: String,
    },
    /// A plugin function panicked; the panic was caught inside the plugin.
    #[error("plugin `{plugin}`: {function} panicked (caught at the plugin boundary): {message}")]
    Panicked {
        /// The plugin's name.
        plugin: String,
        /// The function.
        function: &'static str,
        /// The panic message.
        message: String,
    },
    /// An output has the wrong number of entries.
    #[error("plugin `{plugin}` returned {found} entries in output `{output}`, expected {expected}")]
    OutputLength {
        /// The plugin's name.
        plugin: String,
        /// The output.
        output: &'static str,
        /// Entries expected.
        expected: usize,
        /// Entries returned.
        found: usize,
    },
    /// An output value is NaN or infinite.
    #[error(
        "plugin `{plugin}` returned {value} in output `{output}` at {at}, expected a finite number"
    )]
    NonFinite {
        /// The plugin's name.
        plugin: String,
        /// The output.
        output: &'static str,
        /// Which entry (region or flow).
        at: String,
        /// The value.
        value: f64,
    },
    /// An output refers to a region that does not exist or is otherwise inconsistent.
    #[error("plugin `{plugin}` returned an invalid `{output}`: {why}")]
    InvalidOutput {
        /// The plugin's name.
        plugin: String,
        /// The output.
        output: &'static str,
        /// What is wrong.
        why: String,
    },
}
