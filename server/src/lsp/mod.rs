pub fn run_stdio() -> std::process::ExitCode {
    todo!()
}
