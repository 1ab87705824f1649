#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sblint::fuzzing::parse_prints_back(data));
