#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bluezone_fuzz::targets::bluezone_trace(data));
