#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sblint::fuzzing::regex_round_trips(data));
