#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sblint::fuzzing::compile_round_trips(data));
