//! The `nemo` command-line tool. Everything lives in the library half (`nemo_host`).

fn main() -> std::process::ExitCode {
    nemo_host::main_entry()
}
