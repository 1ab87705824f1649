#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sblint::fuzzing::fmt_keeps_tokens(data));
