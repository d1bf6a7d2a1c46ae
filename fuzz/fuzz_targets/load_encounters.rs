#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bluezone_fuzz::targets::load_encounters(data));
