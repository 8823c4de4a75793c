//! The `pointillist` command: parse arguments, run, print any error on one line.

use std::process::ExitCode;

use clap::Parser;
use pointillist::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Render(args) => pointillist::headless::run(args),
        Command::Bench(args) => pointillist::bench::main(args),
        Command::View(args) => pointillist::app::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
