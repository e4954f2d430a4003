//! A Vite manifest from anywhere (a broken build, a hostile file): parsing and resolving an entry give a
//! result or an error, never a panic or a loop (import cycles included).
#![no_main]

use facetheory::vite::{AssetOptions, ViteManifest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(manifest) = ViteManifest::parse(text) else { return };
    let opts = AssetOptions::default();
    for entry in ["src/main.ts", "src/counter.ts", "a", ""] {
        let _ = manifest.entry(entry, &opts);
    }
});
