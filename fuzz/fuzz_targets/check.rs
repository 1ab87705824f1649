#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sblint::fuzzing::check_never_panics(data));
