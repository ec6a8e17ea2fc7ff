//! Replays a share link on the host and prints an instant query's table
//! at the link's simulated time, one `series<TAB>value` line per row (a
//! scalar or string as one `scalar<TAB>value` line). The end-to-end test
//! compares the page's table with this: the same engine, run outside the
//! browser, over the same seed and actions.
//!
//! ```text
//! cargo run -p playground-core --example link_table -- '<fragment>' 'sum(rate(requests_total[1m]))'
//! ```

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use playground_core::query::{table, Table};
use playground_core::share::decode;
use tinyprom::storage::duration_ms;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [fragment, query] = args.as_slice() else {
        eprintln!("usage: link_table <link or fragment> <query>");
        return ExitCode::from(2);
    };
    let fragment = fragment
        .split_once('#')
        .map_or(fragment.as_str(), |(_, f)| f);
    let state = match decode(fragment) {
        Ok(state) => state,
        Err(error) => {
            eprintln!("link_table: {error}");
            return ExitCode::FAILURE;
        }
    };
    // The page reports this version too (it is the workspace's).
    let playground = match state.replay(env!("CARGO_PKG_VERSION")) {
        Ok(playground) => playground,
        Err(error) => {
            eprintln!("link_table: cannot replay: {error}");
            return ExitCode::FAILURE;
        }
    };
    let value = match playground.query(query, duration_ms(playground.now())) {
        Ok(value) => value,
        Err(error) => {
            eprintln!("link_table: {error}");
            return ExitCode::FAILURE;
        }
    };
    match table(&value) {
        Table::Series { rows, .. } => {
            for row in rows {
                println!("{}\t{}", row.series, row.value.replace('\n', " "));
            }
        }
        Table::Scalar(value) => println!("scalar\t{value}"),
        Table::String(value) => println!("string\t{value}"),
    }
    ExitCode::SUCCESS
}
