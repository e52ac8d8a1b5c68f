//! Errors of the `pora` command and their exit codes (documented in `pora --help` and the README).

use std::fmt;
use std::process::ExitCode;

/// Exit codes. 0-2 are verification answers; 64 and up follow BSD sysexits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The permit is valid (possibly with warnings), or the command succeeded.
    Ok = 0,
    /// The permit is not valid: expired, revoked, forged, incomplete, not ours...
    Rejected = 1,
    /// Cannot tell: the trust list or status list is too old. Sync and retry.
    CannotTell = 2,
    /// Wrong usage: unknown option, missing argument.
    Usage = 64,
    /// Input data is invalid (a bad key, JSON, permit field, list, image).
    Data = 65,
    /// An input file does not exist or cannot be opened.
    NoInput = 66,
    /// An output file cannot be created.
    CantCreate = 73,
    /// Another I/O failure.
    Io = 74,
}

/// A failure: what was wrong and where, and the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    /// Exit code.
    pub exit: Exit,
    /// Message for stderr.
    pub message: String,
}

impl CliError {
    /// Invalid input data.
    pub fn data(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Data,
            message: message.into(),
        }
    }

    /// Wrong usage.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// The exit code.
    pub fn code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads a file, naming it in the error.
pub fn read(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| {
        let exit = if e.kind() == std::io::ErrorKind::NotFound {
            Exit::NoInput
        } else {
            Exit::Io
        };
        CliError {
            exit,
            message: format!("{}: {e}", path.display()),
        }
    })
}

/// Writes a file (mode 0644), naming it in the error.
pub fn write(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|e| CliError {
        exit: Exit::CantCreate,
        message: format!("{}: {e}", path.display()),
    })
}
