//! The `pointillist` command: parse arguments, map them onto the library's
//! API, run, and print any error on one line (an expression's adds the
//! expression and a caret under the column) with a non-zero exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};

/// The system allocator, counting what is live (the viewer's `-v` line at rest).
#[global_allocator]
static ALLOC: pointillist::CountingAlloc = pointillist::CountingAlloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // One line, as every other error: clap's first paragraph, without its hints.
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!("{}", first.join(" "));
            return ExitCode::from(2);
        }
    };
    let result = match &cli.command {
        Command::Render(args) => cli::render::run(args),
        Command::Bench(args) => pointillist::bench::main(&args.options()),
        Command::View(args) => cli::view(args),
        Command::Convert(args) => cli::convert(args),
    };
    match result.map_err(cli::flagged) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
