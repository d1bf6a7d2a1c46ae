#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bluezone_fuzz::targets::keys_csv(data));
